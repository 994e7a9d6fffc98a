"""Slack's word that a member's account changed: a deactivated decider's pending decisions go
to HR, the fallback approver (bot/services/hr_fallback.py). (A reactivated account takes nothing
back from HR by itself: the manager takes the side back by choosing themself as its delegate.)"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.hr_fallback import DEACTIVATED
from bot.services.hr_fallback import hand_to_hr
from bot.slack.delivery import deliver_now
from bot.slack.deps import Deps
from bot.slack.ids import Event
from bot.slack.listeners.acting import acting
from bot.slack.listeners.errors import answered
from bot.slack.parsing import parse_deactivated


def register(app: AsyncApp, deps: Deps) -> None:
    """Listen for member changes: a deactivated decider's pending sides go to HR."""

    @app.event(Event.USER_CHANGE)
    @answered
    async def handle_user_change_event(
        event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        """Hand HR the sides a now deactivated member decides, and say so at once."""
        person = parse_deactivated(event)
        if person is None:
            return  # a profile change: nothing waits on it
        handed = await hand_to_hr(
            deps.sessions,
            team_id=acting(context).team_id,
            person_id=person,
            reason=DEACTIVATED,
            announce=deps.say.to_hr_fallback,
            policy=deps.policy,
            now=deps.clock.now(),
        )
        for moved in handed:
            await deliver_now(client, deps, moved.record)
