"""Modal submissions that follow a block or change the request: a response to the block, a
request for HR's review, changed terms, HR's note and HR's override."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.decisions import DecisionRef
from bot.domain.kinds import NoteKind
from bot.services.escalations import ask_for_review
from bot.services.exceptions import decide_exception
from bot.services.notes import add_note
from bot.services.reconsider import override
from bot.services.term_edits import propose_change
from bot.slack.delivery import deliver_now
from bot.slack.deps import Deps
from bot.slack.ids import Callback, FollowUpField
from bot.slack.listeners.acting import acting
from bot.slack.listeners.context import is_hr_before_answering
from bot.slack.listeners.errors import answered_in_modal
from bot.slack.parsing import parse_change, parse_text
from bot.slack.refs import RequestRef


def register(app: AsyncApp, deps: Deps) -> None:
    """Wire the submissions of the way-forward forms to their handlers."""
    app.view(Callback.RESPOND)(answered_in_modal(partial(handle_respond_submission, deps)))
    app.view(Callback.HR_NOTE)(answered_in_modal(partial(handle_hr_note_submission, deps)))
    app.view(Callback.ASK_HR)(answered_in_modal(partial(handle_ask_hr_submission, deps)))
    app.view(Callback.CHANGE)(answered_in_modal(partial(handle_change_submission, deps)))
    app.view(Callback.EXCEPTION_REFUSE)(
        answered_in_modal(partial(handle_exception_refusal_submission, deps))
    )
    app.view(Callback.HR_OVERRIDE)(answered_in_modal(partial(handle_override_submission, deps)))


async def _note(
    deps: Deps,
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    kind: NoteKind,
) -> Any:
    return await add_note(
        deps.sessions,
        secondment_id=RequestRef.decode(view["private_metadata"]).secondment_id,
        kind=kind,
        text=parse_text(view["state"]["values"]),
        source_key=view["id"],
        announce=deps.say.note,
        actor=acting(context).actor(
            is_hr=kind is NoteKind.HR_NOTE
            and await is_hr_before_answering(deps, client, context, field=FollowUpField.TEXT)
        ),
    )


async def handle_respond_submission(
    deps: Deps,
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Post a response to the block in the approval thread."""
    added = await _note(deps, view, client, context, NoteKind.RESPONSE)
    await ack()
    await deliver_now(client, deps, added.record)


async def handle_hr_note_submission(
    deps: Deps,
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Post HR's note in the approval thread."""
    added = await _note(deps, view, client, context, NoteKind.HR_NOTE)
    await ack()
    await deliver_now(client, deps, added.record)


async def handle_ask_hr_submission(
    deps: Deps,
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Bring HR in to review a block, with the message for them."""
    raised = await ask_for_review(
        deps.sessions,
        secondment_id=RequestRef.decode(view["private_metadata"]).secondment_id,
        message=parse_text(view["state"]["values"]) or None,
        announce=deps.say.escalation,
        actor=acting(context).actor(),
    )
    await ack()
    await deliver_now(client, deps, raised.record)


async def handle_change_submission(
    deps: Deps,
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Make the employee's changed terms a new version for both managers to decide."""
    ref = RequestRef.decode(view["private_metadata"])
    form, note = parse_change(view["state"]["values"])
    event = await propose_change(
        deps.sessions,
        secondment_id=ref.secondment_id,
        seen_version=ref.terms_version,
        form=form,
        note=note,
        announce=deps.say.change,
        actor=acting(context).actor(),
    )
    await ack()
    await deliver_now(client, deps, event.record)


async def handle_exception_refusal_submission(
    deps: Deps,
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Record HR's refusal of an exception to its rules, with its note."""
    ref = RequestRef.decode(view["private_metadata"])
    decided = await decide_exception(
        deps.sessions,
        secondment_id=ref.secondment_id,
        terms_version=ref.terms_version,
        granted=False,
        note=parse_text(view["state"]["values"]),
        announce=deps.say.exception_decided,
        actor=acting(context).actor(
            is_hr=await is_hr_before_answering(deps, client, context, field=FollowUpField.TEXT)
        ),
    )
    await ack()
    await deliver_now(client, deps, decided.record)


async def handle_override_submission(
    deps: Deps,
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Record HR's override of a block, with its justification."""
    made = await override(
        deps.sessions,
        ref=DecisionRef.decode(view["private_metadata"]),
        justification=parse_text(view["state"]["values"]),
        announce=deps.say.decision,
        actor=acting(context).actor(
            is_hr=await is_hr_before_answering(deps, client, context, field=FollowUpField.TEXT)
        ),
    )
    await ack()
    await deliver_now(client, deps, made.record)
