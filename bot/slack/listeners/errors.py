"""The one error path: a refusal becomes a clear ephemeral reply; anything else is logged with its
traceback and correlation id, and the person is told that nothing changed and given the id."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.errors import Refusal
from bot.logs import CORRELATION_ID
from bot.slack.builders.messages import Message
from bot.slack.builders.replies import build_refusal, build_unexpected_error

log = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    @app.error
    async def handle_listener_error(
        error: Exception,
        body: dict[str, Any],
        context: AsyncBoltContext,
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        if isinstance(error, Refusal):
            log.info("refused %s: %r", body.get("type"), error)
            message = build_refusal(error)
        else:
            log.error("listener failed on %s", body.get("type"), exc_info=error)
            message = build_unexpected_error(CORRELATION_ID.get())
        await _tell(message, context, respond, client)


async def _tell(
    message: Message, context: AsyncBoltContext, respond: AsyncRespond, client: AsyncWebClient
) -> None:
    """Reply privately: through the response URL when the request has one, else by DM."""
    try:
        if context.response_url:
            await respond(**message.as_kwargs(), response_type="ephemeral", replace_original=False)
        elif context.user_id:
            await client.chat_postMessage(channel=context.user_id, **message.as_kwargs())
    except SlackApiError as exc:
        log.error(
            "could not tell %s about an error: %s", context.user_id, exc.response.get("error")
        )
