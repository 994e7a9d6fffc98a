"""What every request from Slack gets, whether it came over HTTP or Socket Mode: a correlation id
for its log lines, and a place in the metrics (its kind, the status of the answer, how long the
acknowledgement took). The HTTP side is in bot/web.py; the Socket Mode handler is here.
"""

from __future__ import annotations

import logging
from time import perf_counter, time
from typing import Any

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import run_async_bolt_app, send_async_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.payload_utils import (
    is_block_actions,
    is_event,
    is_slash_command,
    is_view_submission,
)
from slack_bolt.response import BoltResponse
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.logs import correlated
from bot.metrics import Metrics
from bot.slack.payloads import Malformed, check_payload

log = logging.getLogger(__name__)

HTTP, SOCKET_MODE = "http", "socket_mode"
# The kinds of a request refused before it is dispatched (bot/web.py).
UNVERIFIED, MALFORMED = "unverified", "malformed"


def request_kind(body: dict[str, Any]) -> str:
    """command, block_actions, view_submission, event or other (a view closed, a shortcut...)."""
    if is_slash_command(body):
        return "command"
    if is_block_actions(body):
        return "block_actions"
    if is_view_submission(body):
        return "view_submission"
    return "event" if is_event(body) else "other"


class AckTimer:
    """One request, from the moment it arrived until it is answered."""

    def __init__(self, metrics: Metrics, transport: str) -> None:
        self._metrics = metrics
        self._transport = transport
        self._started = perf_counter()

    def answered(self, body: dict[str, Any], response: BoltResponse) -> None:
        """Count the request as answered, with its kind, status and time taken."""
        seconds = perf_counter() - self._started
        self._metrics.observe_request(self._transport, request_kind(body), response.status, seconds)

    def refused(self, kind: str, status: int) -> None:
        """Refused before its body was read (`unverified`) or before Bolt saw it (`malformed`)."""
        seconds = perf_counter() - self._started
        self._metrics.observe_request(self._transport, kind, status, seconds)


class ObservedSocketModeHandler(AsyncSocketModeHandler):
    """Bolt's Socket Mode handler, with each envelope under its own correlation id and counted
    like an HTTP request: answered once Bolt has the acknowledgement, just before it is sent."""

    def __init__(self, app: AsyncApp, app_token: str, metrics: Metrics) -> None:
        super().__init__(app, app_token)
        self._metrics = metrics

    async def handle(self, client: AsyncBaseSocketModeClient, req: SocketModeRequest) -> None:
        """Check, dispatch, answer and count one envelope from the socket."""
        with correlated():
            timer, arrived = AckTimer(self._metrics, SOCKET_MODE), time()
            try:
                # The socket is authenticated with the app token, so nothing is signed; the
                # payload's shape is checked as it is over HTTP.
                check_payload(req.payload)
            except Malformed as malformed:
                log.warning(
                    "refused a Socket Mode %s that is not a payload the bot handles: %s",
                    req.type,
                    malformed.reason,
                )
                timer.refused(MALFORMED, 400)
                # Acknowledged all the same: Slack would only send it again.
                await client.send_socket_mode_response(SocketModeResponse(req.envelope_id))
                return
            response = await run_async_bolt_app(self.app, req)
            timer.answered(req.payload, response)
            await send_async_response(client, req, response, arrived)
