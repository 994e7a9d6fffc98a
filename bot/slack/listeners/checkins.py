"""Check-ins: the employee picks an answer (a short form follows), or snoozes until tomorrow."""

from __future__ import annotations

import functools
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.permissions import check_can_check_in
from bot.domain.record import SecondmentRecord
from bot.services.checkins import answer_check_in, snooze_check_in
from bot.slack.builders.checkins import ANSWER_ACTIONS, build_check_in_modal
from bot.slack.builders.replies import build_snoozed
from bot.slack.delivery import deliver_now
from bot.slack.deps import Deps
from bot.slack.ids import Action, Callback
from bot.slack.listeners.acting import acting
from bot.slack.listeners.context import button_value, changing
from bot.slack.listeners.errors import answered, answered_in_modal
from bot.slack.listeners.openers import opens_modal, visible
from bot.slack.parsing import parse_check_in
from bot.slack.refs import CheckInRef


def _ref(body: dict[str, Any]) -> CheckInRef:
    return CheckInRef.decode(button_value(body))


def register(app: AsyncApp, deps: Deps) -> None:
    """Wire a check-in's answer buttons to its form, and its snooze and submission to handlers."""
    for action in ANSWER_ACTIONS.values():
        opens_modal(
            app,
            action,
            functools.partial(_may_answer, deps),
            lambda record, value: build_check_in_modal(record, CheckInRef.decode(value)),
        )
    app.action(Action.CHECK_IN_SNOOZE)(
        answered(functools.partial(handle_check_in_snooze_action, deps))
    )
    app.view(Callback.CHECK_IN)(
        answered_in_modal(functools.partial(handle_check_in_submission, deps))
    )


async def _may_answer(
    deps: Deps, context: AsyncBoltContext, client: AsyncWebClient, value: str
) -> SecondmentRecord:
    """The secondment a check-in button names, if the clicker may answer that check-in."""
    sequence = CheckInRef.decode(value).sequence
    check = functools.partial(check_can_check_in, sequence=sequence)
    return await visible(deps, check)(context, client, value)


async def handle_check_in_snooze_action(
    deps: Deps,
    ack: AsyncAck,
    body: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    """Put a check-in off until tomorrow, and say when it comes back."""
    await ack()
    ref = _ref(body)
    async with changing(deps, context):
        until = await snooze_check_in(
            deps.sessions,
            secondment_id=ref.secondment_id,
            sequence=ref.sequence,
            actor=acting(context).actor(),
        )
    await respond(
        **build_snoozed(until).as_kwargs(), response_type="ephemeral", replace_original=False
    )


async def handle_check_in_submission(
    deps: Deps,
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Record the employee's check-in answer, with its note and whom it is shared with."""
    ref = CheckInRef.decode(view["private_metadata"])
    assert ref.answer is not None
    note, share = parse_check_in(view["state"]["values"])
    result = await answer_check_in(
        deps.sessions,
        secondment_id=ref.secondment_id,
        sequence=ref.sequence,
        answer=ref.answer,
        note=note,
        share_with_home=share,
        announce=deps.say.check_in,
        actor=acting(context).actor(),
    )
    await ack()
    await deliver_now(client, deps, result.record)
