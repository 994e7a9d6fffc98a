"""Publishing a person's App Home, and reading Slack's error code off a failed call.

Everything else the bot says after a change goes through the outbox (bot/slack/announce.py
composes it, bot/slack/delivery.py sends it)."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)


def slack_error(exc: SlackApiError) -> str:
    """Slack's error code from a failed call."""
    return str(exc.response.get("error") or "unknown_error")


async def publish_home(client: AsyncWebClient, user_id: str, view: View) -> None:
    """Show a person their App Home. A failure is only logged: the Home is published again
    each time they open it, and nothing they did is lost."""
    try:
        await client.views_publish(user_id=user_id, view=view)
    except SlackApiError as exc:
        log.warning("home of %s not published: %s", user_id, slack_error(exc))
