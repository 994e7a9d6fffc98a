"""A person's calendar link: "Add to calendar" on an approval, and its Reset button. (The
`/secondment calendar` command answers in bot/slack/listeners/commands.py.)"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.domain.errors import UnreadableReference
from bot.services.calendar_feeds import calendar_link, reset_calendar_link
from bot.slack.builders.calendar import build_calendar_link, build_calendars_off
from bot.slack.deps import Deps
from bot.slack.ids import Action
from bot.slack.listeners.context import button_value, changing, team_of, user_of
from bot.slack.listeners.errors import answered
from bot.slack.parsing import parse_number


def register(app: AsyncApp, deps: Deps) -> None:
    @app.action(Action.CALENDAR_SUBSCRIBE)
    @answered
    async def handle_calendar_subscribe_action(
        ack: AsyncAck, respond: AsyncRespond, context: AsyncBoltContext
    ) -> None:
        await ack()
        if deps.public_url is None:
            message = build_calendars_off()
        else:
            async with changing(deps, context):
                link = await calendar_link(
                    deps.sessions,
                    team_id=team_of(context),
                    user_id=user_of(context),
                    now=deps.clock.now(),
                )
            message = build_calendar_link(link, deps.public_url)
        await respond(**message.as_kwargs(), response_type="ephemeral", replace_original=False)

    @app.action(Action.CALENDAR_RESET)
    @answered
    async def handle_calendar_reset_action(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, context: AsyncBoltContext
    ) -> None:
        await ack()
        seen = parse_number(button_value(body))
        if seen is None:
            raise UnreadableReference()
        if deps.public_url is None:
            message = build_calendars_off()
        else:
            async with changing(deps, context):
                link = await reset_calendar_link(
                    deps.sessions,
                    team_id=team_of(context),
                    user_id=user_of(context),
                    seen_version=seen,
                    now=deps.clock.now(),
                )
            message = build_calendar_link(link, deps.public_url, reset=True)
        await respond(**message.as_kwargs(), response_type="ephemeral", replace_original=True)
