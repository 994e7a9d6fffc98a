"""Buttons on a side of a request: approve, block, reconsider, approve with conditions, delegate.
Link buttons are acknowledged here too: Slack reports their clicks."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.decisions import DecisionMade, DecisionRef, Move
from bot.domain.states import Outcome, Side
from bot.services.decide import decide
from bot.services.reconsider import reconsider
from bot.slack.addressing import and_home
from bot.slack.builders.block_modal import build_block_modal
from bot.slack.builders.ways_forward_modals import build_conditions_modal, build_delegate_modal
from bot.slack.delivery import deliver_now
from bot.slack.deps import Deps
from bot.slack.ids import Action
from bot.slack.listeners.acting import acting
from bot.slack.listeners.context import (
    as_hr_if_theirs,
    button_value,
    changing,
)
from bot.slack.listeners.errors import answered
from bot.slack.listeners.openers import may_make, opens_modal


def _ref(body: dict[str, Any]) -> DecisionRef:
    return DecisionRef.decode(button_value(body))


def _side(value: str) -> Side:
    return DecisionRef.decode(value).side


def register(app: AsyncApp, deps: Deps) -> None:
    """Wire a side's buttons to their handlers, and those that open a form to the form."""
    app.action(Action.APPROVE)(answered(partial(handle_approve_action, deps)))
    app.action(Action.RECONSIDER)(answered(partial(handle_reconsider_action, deps)))
    min_chars = deps.policy.block_reason_min_chars
    opens_modal(
        app,
        Action.BLOCK,
        may_make(deps, Move.DECIDE),
        lambda record, value: build_block_modal(record, _side(value), value, min_chars),
    )
    # Conditions and delegation answer a pending side or, after a block, the blocked one.
    opens_modal(
        app,
        Action.CONDITIONS,
        may_make(deps, None),
        lambda record, value: build_conditions_modal(record, _side(value), value),
    )
    opens_modal(
        app,
        Action.DELEGATE,
        may_make(deps, None),
        lambda record, value: build_delegate_modal(record, _side(value), value),
    )
    app.action(Action.OPEN_THREAD)(handle_open_thread_action)


async def handle_approve_action(
    deps: Deps,
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Approve a side, as HR where the side is HR's to decide."""
    await ack()

    async def approve(as_hr: bool) -> DecisionMade:
        """The approval, taken as HR or not as `as_hr_if_theirs` finds."""
        async with changing(deps, context):
            return await decide(
                deps.sessions,
                ref=_ref(body),
                outcome=Outcome.APPROVED,
                announce=and_home(deps.say.decision, body, acting(context).user_id),
                actor=acting(context).actor(is_hr=as_hr),
            )

    made = await as_hr_if_theirs(approve, lambda: acting(context).is_hr(client))
    await deliver_now(client, deps, made.record)


async def handle_reconsider_action(
    deps: Deps,
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Lift a side's own block: its decider approves after all."""
    await ack()
    async with changing(deps, context):
        made = await reconsider(
            deps.sessions,
            ref=_ref(body),
            announce=and_home(deps.say.decision, body, acting(context).user_id),
            actor=acting(context).actor(),
        )
    await deliver_now(client, deps, made.record)


async def handle_open_thread_action(ack: AsyncAck) -> None:
    """Acknowledge a click on a link to the thread: Slack opens the link itself."""
    await ack()
