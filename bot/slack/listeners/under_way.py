"""A secondment under way: the objectives the employee and host manager agree, ending it
early, and the return debrief that completes it."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.permissions import (
    check_can_end_early,
    check_can_open_debrief,
    check_can_record_objectives,
)
from bot.services.debriefs import record_debrief
from bot.services.early_end import end_early
from bot.services.start_and_objectives import record_objectives
from bot.slack.builders.debrief import build_debrief_modal, build_end_early_modal
from bot.slack.builders.start_and_objectives import build_objectives_modal
from bot.slack.delivery import deliver_now
from bot.slack.deps import Deps
from bot.slack.ids import Action, Callback
from bot.slack.listeners.acting import acting
from bot.slack.listeners.errors import answered_in_modal
from bot.slack.listeners.openers import opens_modal, visible
from bot.slack.parsing import parse_debrief, parse_early_end, parse_objectives
from bot.slack.refs import RequestRef


def register(app: AsyncApp, deps: Deps) -> None:
    """Wire the objectives, debrief and early-end forms: their buttons and their submissions."""
    opens_modal(
        app,
        Action.RECORD_OBJECTIVES,
        visible(deps, check_can_record_objectives),
        lambda record, value: build_objectives_modal(record),
    )
    opens_modal(
        app,
        Action.RECORD_DEBRIEF,
        visible(deps, check_can_open_debrief),
        lambda record, value: build_debrief_modal(record),
    )
    notice = deps.policy.early_end_notice_weeks
    opens_modal(
        app,
        Action.END_EARLY,
        visible(deps, check_can_end_early),
        lambda record, value: build_end_early_modal(record, notice),
    )
    app.view(Callback.OBJECTIVES)(answered_in_modal(partial(handle_objectives_submission, deps)))
    app.view(Callback.DEBRIEF)(answered_in_modal(partial(handle_debrief_submission, deps)))
    app.view(Callback.END_EARLY)(answered_in_modal(partial(handle_end_early_submission, deps)))


async def handle_objectives_submission(
    deps: Deps,
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Record the objectives the employee and the host manager agreed."""
    recorded = await record_objectives(
        deps.sessions,
        secondment_id=RequestRef.decode(view["private_metadata"]).secondment_id,
        text=parse_objectives(view["state"]["values"]),
        source_key=view["id"],
        announce=deps.say.objectives,
        actor=acting(context).actor(),
    )
    await ack()
    await deliver_now(client, deps, recorded.record)


async def handle_debrief_submission(
    deps: Deps,
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Record the return debrief, which completes the secondment."""
    recorded = await record_debrief(
        deps.sessions,
        secondment_id=RequestRef.decode(view["private_metadata"]).secondment_id,
        form=parse_debrief(view["state"]["values"]),
        announce=deps.say.debrief,
        actor=acting(context).actor(),
    )
    await ack()
    await deliver_now(client, deps, recorded.record)


async def handle_end_early_submission(
    deps: Deps,
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """End the secondment early, with its reason and notice."""
    reason, notice = parse_early_end(view["state"]["values"])
    ended = await end_early(
        deps.sessions,
        secondment_id=RequestRef.decode(view["private_metadata"]).secondment_id,
        reason=reason,
        notice_weeks=notice,
        announce=deps.say.early_end,
        actor=acting(context).actor(),
    )
    await ack()
    await deliver_now(client, deps, ended.record)
