"""A message typed in the bot's own DM, its Messages tab, the first place people try: the bot
keeps no conversation, so it answers with what it can do and how to ask (the slash command
works in that very box). Its own messages, edits, deletions and thread replies get no answer.

Nothing changes, so nothing goes through the outbox; a retried delivery of the same event is
answered once (bot/slack/listeners/events_once.py)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.builders.replies import build_dm_help
from bot.slack.deps import Deps
from bot.slack.ids import Event
from bot.slack.listeners.errors import answered


async def typed_by_a_person_in_the_dm(event: dict[str, Any]) -> bool:
    """Whether a message event is something a person typed in the bot's DM."""
    return (
        event.get("channel_type") == "im"
        and "subtype" not in event  # edits, deletions, joins: not something typed
        and "bot_id" not in event
        and event.get("thread_ts") in (None, event.get("ts"))
    )


def register(app: AsyncApp, deps: Deps) -> None:
    """Listen for messages in the bot's DM."""

    @app.event(Event.MESSAGE, matchers=[typed_by_a_person_in_the_dm])
    @answered
    async def handle_direct_message_event(
        event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        """Answer a message typed in the bot's DM with what the bot can do."""
        await client.chat_postMessage(
            channel=str(event["channel"]), **build_dm_help(deps.policy.rules).as_kwargs()
        )

    @app.event(Event.MESSAGE)
    async def handle_other_message_event() -> None:
        """Every other message event (an edit, a thread reply): acknowledged, and no more, so
        that Slack does not deliver it again."""
