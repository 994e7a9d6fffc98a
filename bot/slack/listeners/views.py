"""Modal submissions for the request and its decisions: the request form, a block, conditions,
and a delegation.

Each checks and stores before it acks, so a problem shows on the modal's own fields (or the
modal explains why the request moved on) and a stored change is never lost to a closed modal;
messages go out after the ack. The people named are looked up for at most
`directory.LOOKUP_SECONDS`, so a slow Slack cannot hold the answer past Slack's three seconds;
past it, the form is taken and what needs Slack is checked after the answer, before anyone is
told (a request's managers before its thread opens, a delegate before the side is handed over).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.block_form import validate_block
from bot.domain.decisions import DecisionRef
from bot.domain.errors import InvalidInput
from bot.domain.request_form import RequestForm
from bot.domain.states import Outcome
from bot.services.conditions import approve_with_conditions
from bot.services.decide import decide
from bot.services.delegation import delegate_chosen
from bot.services.requests import NewRequest, create_request
from bot.slack.delivery import deliver_now
from bot.slack.deps import Deps
from bot.slack.directory import CheckedRequest, check_request
from bot.slack.ids import BlockField, Callback
from bot.slack.listeners.acting import acting
from bot.slack.listeners.context import (
    as_hr_if_theirs,
    is_hr_before_answering,
)
from bot.slack.listeners.errors import answered_in_modal
from bot.slack.parsing import (
    parse_block_form,
    parse_chosen_user,
    parse_conditions_form,
    parse_request_form,
)


def register(app: AsyncApp, deps: Deps) -> None:
    """Wire the submissions of the request form and its decisions' forms to their handlers."""
    app.view(Callback.REQUEST)(answered_in_modal(partial(handle_request_submission, deps)))
    app.view(Callback.BLOCK)(answered_in_modal(partial(handle_block_submission, deps)))
    app.view(Callback.CONDITIONS)(answered_in_modal(partial(handle_conditions_submission, deps)))
    app.view(Callback.DELEGATE)(answered_in_modal(partial(handle_delegate_submission, deps)))


async def handle_request_submission(
    deps: Deps,
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Check the request form and the people it names, then store the request."""
    now, user = deps.clock.now(), acting(context).user_id
    form = parse_request_form(view["state"]["values"])
    checked = await check_request(
        deps.directory, client, acting(context).team_id, form, user, deps.policy, now
    )
    request = _new_request(view, acting(context).team_id, user, form, checked)
    created = await create_request(deps.sessions, request, policy=deps.policy, now=now)
    await ack()
    await deliver_now(client, deps, created.record)


def _new_request(
    view: dict[str, Any], team: str, user: str, form: RequestForm, checked: CheckedRequest
) -> NewRequest:
    """The request to store, once its terms pass their checks (else their errors, on the form)."""
    if isinstance(checked.terms, dict):
        raise InvalidInput(checked.terms)
    assert form.home_manager_id and form.host_manager_id
    return NewRequest(
        view["id"],
        team,
        user,
        form.home_manager_id,
        form.host_manager_id,
        checked.terms,
        checked.people,
        checked.check_in_weeks,
        checked.unchecked,
        checked.exception,
    )


async def handle_block_submission(
    deps: Deps,
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Block a side with its reason, as HR where the side is HR's to decide."""
    details = validate_block(parse_block_form(view["state"]["values"]), deps.policy)
    if isinstance(details, dict):
        raise InvalidInput(details)
    made = await as_hr_if_theirs(
        lambda as_hr: decide(
            deps.sessions,
            ref=DecisionRef.decode(view["private_metadata"]),
            outcome=Outcome.BLOCKED,
            announce=deps.say.decision,
            block=details,
            actor=acting(context).actor(is_hr=as_hr),
        ),
        # Before the answer: Slack gets a bounded time to say whether they are HR.
        lambda: is_hr_before_answering(deps, client, context, field=BlockField.REASON),
    )
    await ack()
    await deliver_now(client, deps, made.record)


async def handle_conditions_submission(
    deps: Deps,
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Approve a side on conditions, which become the terms' next version."""
    event = await approve_with_conditions(
        deps.sessions,
        ref=DecisionRef.decode(view["private_metadata"]),
        form=parse_conditions_form(view["state"]["values"]),
        announce=deps.say.change,
        actor=acting(context).actor(),
    )
    await ack()
    await deliver_now(client, deps, event.record)


async def handle_delegate_submission(
    deps: Deps,
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Hand a side's decision to the person chosen, or take it back."""
    chosen = parse_chosen_user(view["state"]["values"])
    team = acting(context).team_id
    record = await delegate_chosen(
        deps.sessions,
        ref=DecisionRef.decode(view["private_metadata"]),
        chosen=chosen,
        # None when Slack is too slow to say who they are: checked after the answer.
        people=await deps.directory.people_in_time(client, team, [chosen] if chosen else []),
        announce=deps.say.delegation,
        actor=acting(context).actor(),
    )
    await ack()
    await deliver_now(client, deps, record)
