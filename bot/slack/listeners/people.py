"""Slack's word that a member's account changed: a deactivated decider's pending decisions go
to HR, the fallback approver (bot/services/hr_fallback.py). (A reactivated account takes nothing
back from HR by itself: the manager takes the side back by choosing themself as its delegate.)"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.services.hr_fallback import DEACTIVATED, hand_to_hr
from bot.slack.delivery import deliver_now
from bot.slack.deps import Deps
from bot.slack.ids import Event
from bot.slack.listeners.context import team_of
from bot.slack.listeners.errors import answered
from bot.slack.parsing import parse_deactivated


def register(app: AsyncApp, deps: Deps) -> None:
    """Listen for members' accounts changing."""

    @app.event(Event.USER_CHANGE)
    @answered
    async def handle_user_change_event(
        event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        """Hand a deactivated person's undecided sides to HR, and tell whoever must know."""
        person = parse_deactivated(event)
        if person is None:
            return  # a profile change: nothing waits on it
        handed = await hand_to_hr(
            deps.sessions,
            team_id=team_of(context),
            person_id=person,
            reason=DEACTIVATED,
            announce=deps.say.to_hr_fallback,
            policy=deps.policy,
            now=deps.clock.now(),
        )
        for moved in handed:
            await deliver_now(client, deps, moved.record)
