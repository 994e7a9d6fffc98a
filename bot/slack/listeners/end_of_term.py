"""The end-of-term decision: confirming the planned return, and proposing an extension or a
permanent move for both managers to decide."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.permissions import check_may_propose
from bot.domain.policy import return_rights_limit
from bot.domain.states import ProposalKind
from bot.services.end_of_term import confirm_return
from bot.services.proposals import propose
from bot.slack.builders.end_of_term import build_extension_modal, build_permanent_modal
from bot.slack.delivery import deliver_now
from bot.slack.deps import Deps
from bot.slack.ids import Action, Callback
from bot.slack.listeners.acting import acting
from bot.slack.listeners.context import button_value, changing
from bot.slack.listeners.errors import answered, answered_in_modal
from bot.slack.listeners.openers import opens_modal, visible
from bot.slack.parsing import parse_proposal
from bot.slack.refs import RequestRef


def register(app: AsyncApp, deps: Deps) -> None:
    """Wire the end-of-term buttons and the proposal forms' submissions to their handlers."""
    months = deps.policy.return_rights_months
    opens_modal(
        app,
        Action.PROPOSE_EXTENSION,
        visible(deps, check_may_propose),
        lambda record, value: build_extension_modal(
            record, return_rights_limit(record.terms, deps.policy), months, deps.policy.rules
        ),
    )
    opens_modal(
        app,
        Action.PROPOSE_PERMANENT,
        visible(deps, check_may_propose),
        lambda record, value: build_permanent_modal(record),
    )
    app.action(Action.CONFIRM_RETURN)(answered(partial(handle_confirm_return_action, deps)))
    app.view(Callback.PROPOSE_EXTENSION)(
        answered_in_modal(partial(handle_extension_submission, deps))
    )
    app.view(Callback.PROPOSE_PERMANENT)(
        answered_in_modal(partial(handle_permanent_submission, deps))
    )


async def handle_confirm_return_action(
    deps: Deps,
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Confirm the planned return at the end of the term."""
    await ack()
    async with changing(deps, context):
        confirmed = await confirm_return(
            deps.sessions,
            secondment_id=RequestRef.decode(button_value(body)).secondment_id,
            announce=deps.say.return_confirmed,
            actor=acting(context).actor(),
        )
    await deliver_now(client, deps, confirmed.record)


async def _submit(
    deps: Deps,
    kind: ProposalKind,
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Store a proposal of `kind` for both managers to decide."""
    end_date, note, exception_reason = parse_proposal(view["state"]["values"])
    ref = RequestRef.decode(view["private_metadata"])
    proposed = await propose(
        deps.sessions,
        secondment_id=ref.secondment_id,
        seen_version=ref.terms_version,
        kind=kind,
        end_date=end_date,
        note=note,
        announce=deps.say.proposal,
        actor=acting(context).actor(),
        exception_reason=exception_reason,
    )
    await ack()
    await deliver_now(client, deps, proposed.record)


async def handle_extension_submission(
    deps: Deps,
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Propose an extension to a new end date."""
    await _submit(deps, ProposalKind.EXTEND, ack, view, client, context)


async def handle_permanent_submission(
    deps: Deps,
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Propose a permanent move: the employee stays in the host team for good."""
    await _submit(deps, ProposalKind.PERMANENT, ack, view, client, context)
