"""HR's buttons: on an escalation, view the request, add a note to its thread, override a block;
and the confirmed erasure of one person's data."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.decisions import DecisionRef, Move
from bot.services.erasure import erase_person
from bot.services.exceptions import decide_exception
from bot.slack.builders.exceptions import exception_refusal_form
from bot.slack.builders.retention import build_person_erased
from bot.slack.builders.status import build_status
from bot.slack.builders.ways_forward_modals import build_text_modal, hr_note_form, override_form
from bot.slack.delivery import deliver_now
from bot.slack.deps import Deps
from bot.slack.ids import Action
from bot.slack.listeners.acting import acting
from bot.slack.listeners.context import button_value, changing
from bot.slack.listeners.errors import answered
from bot.slack.listeners.openers import may_make, opens_modal, visible
from bot.slack.refs import RequestRef


def register(app: AsyncApp, deps: Deps) -> None:
    """Wire HR's buttons to their handlers, and those that open a form to the form."""
    app.action(Action.HR_VIEW)(answered(partial(handle_hr_view_action, deps)))
    app.action(Action.ERASE_PERSON)(answered(partial(handle_erase_person_action, deps)))
    app.action(Action.EXCEPTION_GRANT)(answered(partial(handle_exception_grant_action, deps)))

    opens_modal(
        app,
        Action.EXCEPTION_REFUSE,
        visible(deps, hr_action="decide an exception to HR's rules"),
        lambda record, value: build_text_modal(
            exception_refusal_form(record, deps.policy.block_reason_min_chars), value
        ),
    )

    opens_modal(
        app,
        Action.HR_NOTE,
        visible(deps, hr_action="add an HR note"),
        lambda record, value: build_text_modal(hr_note_form(record), value),
    )

    min_chars = deps.policy.block_reason_min_chars
    opens_modal(
        app,
        Action.HR_OVERRIDE,
        may_make(deps, Move.OVERRIDE),
        lambda record, value: build_text_modal(
            override_form(record, DecisionRef.decode(value).side, min_chars), value
        ),
    )


async def handle_hr_view_action(
    deps: Deps,
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    """Show HR the request an escalation is about, in full and privately."""
    await ack()
    record = await visible(deps, hr_action="view any request")(context, client, button_value(body))
    message = build_status(record, acting(context).user_id)
    await respond(**message.as_kwargs(), response_type="ephemeral", replace_original=False)


async def handle_erase_person_action(
    deps: Deps,
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    """Erase one person's data once HR confirms, and say what was erased."""
    await ack()
    actor_is_hr = await acting(context).is_hr(client)  # asked of Slack before taking a turn
    async with changing(deps, context):
        erased = await erase_person(
            deps.sessions,
            person_id=button_value(body),
            actor=acting(context).actor(is_hr=actor_is_hr),
        )
    message = build_person_erased(erased)
    await respond(**message.as_kwargs(), response_type="ephemeral", replace_original=True)


async def handle_exception_grant_action(
    deps: Deps,
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Record HR's grant of an exception to its rules."""
    await ack()
    ref = RequestRef.decode(button_value(body))
    actor_is_hr = await acting(context).is_hr(client)  # asked of Slack before taking a turn
    async with changing(deps, context):
        decided = await decide_exception(
            deps.sessions,
            secondment_id=ref.secondment_id,
            terms_version=ref.terms_version,
            granted=True,
            note=None,
            announce=deps.say.exception_decided,
            actor=acting(context).actor(is_hr=actor_is_hr),
        )
    await deliver_now(client, deps, decided.record)
