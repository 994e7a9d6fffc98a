"""Buttons on a side of a request: approve, block, reconsider, approve with conditions, delegate.
Link buttons are acknowledged here too: Slack reports their clicks."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.states import Outcome, Side
from bot.services.decisions import DecisionMade, DecisionRef, Move, decide, reconsider
from bot.slack.addressing import and_home
from bot.slack.builders.block_modal import build_block_modal
from bot.slack.builders.ways_forward_modals import build_conditions_modal, build_delegate_modal
from bot.slack.delivery import deliver_now
from bot.slack.deps import Deps
from bot.slack.ids import Action
from bot.slack.listeners.context import (
    as_hr_if_theirs,
    button_value,
    changing,
    is_hr,
    team_of,
    user_of,
)
from bot.slack.listeners.errors import answered
from bot.slack.listeners.openers import may_make, opens_modal


def _ref(body: dict[str, Any]) -> DecisionRef:
    return DecisionRef.decode(button_value(body))


def register(app: AsyncApp, deps: Deps) -> None:
    @app.action(Action.APPROVE)
    @answered
    async def handle_approve_action(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()

        async def approve(as_hr: bool) -> DecisionMade:
            async with changing(deps, context):
                return await decide(
                    deps.sessions,
                    team_id=team_of(context),
                    ref=_ref(body),
                    actor_id=user_of(context),
                    outcome=Outcome.APPROVED,
                    announce=and_home(deps.say.decision, body, user_of(context)),
                    policy=deps.policy,
                    now=deps.clock.now(),
                    actor_is_hr=as_hr,
                )

        made = await as_hr_if_theirs(approve, lambda: is_hr(deps, client, context))
        await deliver_now(client, deps, made.record)

    @app.action(Action.RECONSIDER)
    @answered
    async def handle_reconsider_action(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        async with changing(deps, context):
            made = await reconsider(
                deps.sessions,
                team_id=team_of(context),
                ref=_ref(body),
                actor_id=user_of(context),
                announce=and_home(deps.say.decision, body, user_of(context)),
                policy=deps.policy,
                now=deps.clock.now(),
            )
        await deliver_now(client, deps, made.record)

    def side(value: str) -> Side:
        return DecisionRef.decode(value).side

    min_chars = deps.policy.block_reason_min_chars
    opens_modal(
        app,
        Action.BLOCK,
        may_make(deps, Move.DECIDE),
        lambda record, value: build_block_modal(record, side(value), value, min_chars),
    )
    # Conditions and delegation answer a pending side or, after a block, the blocked one.
    opens_modal(
        app,
        Action.CONDITIONS,
        may_make(deps, None),
        lambda record, value: build_conditions_modal(record, side(value), value),
    )
    opens_modal(
        app,
        Action.DELEGATE,
        may_make(deps, None),
        lambda record, value: build_delegate_modal(record, side(value), value),
    )

    @app.action(Action.OPEN_THREAD)
    async def handle_open_thread_action(ack: AsyncAck) -> None:
        await ack()
