"""Each Events API delivery acted on once: a retry of an event already handled (Slack sends one
when it thinks the first went unanswered) is acknowledged and goes no further. A Bolt
middleware, so it stands before every event listener, over HTTP and Socket Mode alike."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from bot.services.events_seen import first_delivery
from bot.slack.deps import Deps
from bot.slack.ids import Event
from bot.slack.parsing import parse_deactivated

log = logging.getLogger(__name__)


def changes_nothing(body: dict[str, Any]) -> bool:
    """An event the bot acts on in no way, so handling it twice is harmless: a member's profile
    changed without their account being deactivated (Slack sends these for every edit, and
    remembering each would cost a write)."""
    event = body.get("event")
    return (
        isinstance(event, dict)
        and event.get("type") == Event.USER_CHANGE
        and (parse_deactivated(event) is None)
    )


def register(app: AsyncApp, deps: Deps) -> None:
    """Put the once-only check before every event listener."""

    @app.middleware
    async def handle_each_event_once(
        body: dict[str, Any], next: Callable[[], Awaitable[BoltResponse | None]]
    ) -> BoltResponse | None:
        """Let an event through the first time it arrives; a retry is acknowledged, no more."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if (
            event_id is None
            or changes_nothing(body)
            or await first_delivery(deps.sessions, event_id=event_id, now=deps.clock.now())
        ):
            return await next()
        log.info("event %s was handled already: Slack's retry is acknowledged only", event_id)
        return BoltResponse(status=200, body="")
