"""A person's calendar link: "Add to calendar" on an approval, and its Reset button. (The
`/secondment calendar` command answers in bot/slack/listeners/commands.py.)"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.domain.actor import Actor
from bot.domain.calendar_links import CalendarLink
from bot.domain.errors import UnreadableReference
from bot.services.calendar_feeds import calendar_link, reset_calendar_link
from bot.slack.builders.calendar import build_calendar_link, build_calendars_off
from bot.slack.builders.messages import Message
from bot.slack.deps import Deps
from bot.slack.ids import Action
from bot.slack.listeners.acting import acting
from bot.slack.listeners.context import button_value, changing
from bot.slack.listeners.errors import answered
from bot.slack.parsing import parse_number


async def calendar_answer(
    deps: Deps,
    context: AsyncBoltContext,
    linked: Callable[[Actor], Awaitable[CalendarLink]],
    *,
    reset: bool = False,
) -> Message:
    """The person's link, made or reset by `linked(actor)` in their turn among the process's
    changes; or why there are no links here."""
    if deps.public_url is None:
        return build_calendars_off()
    async with changing(deps, context):
        link = await linked(acting(context).actor())
    return build_calendar_link(link, deps.public_url, reset=reset)


def register(app: AsyncApp, deps: Deps) -> None:
    """Listen for the calendar link's buttons: Add to calendar, and Reset."""

    @app.action(Action.CALENDAR_SUBSCRIBE)
    @answered
    async def handle_calendar_subscribe_action(
        ack: AsyncAck, respond: AsyncRespond, context: AsyncBoltContext
    ) -> None:
        """Send the clicker their calendar link, made if they had none."""
        await ack()
        message = await calendar_answer(
            deps,
            context,
            lambda actor: calendar_link(deps.sessions, actor=actor),
        )
        await respond(**message.as_kwargs(), response_type="ephemeral", replace_original=False)

    @app.action(Action.CALENDAR_RESET)
    @answered
    async def handle_calendar_reset_action(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, context: AsyncBoltContext
    ) -> None:
        """Replace the clicker's calendar link with a new one, once however often clicked."""
        await ack()
        seen = parse_number(button_value(body))
        if seen is None:
            raise UnreadableReference()
        message = await calendar_answer(
            deps,
            context,
            lambda actor: reset_calendar_link(deps.sessions, seen_version=seen, actor=actor),
            reset=True,
        )
        await respond(**message.as_kwargs(), response_type="ephemeral", replace_original=True)
