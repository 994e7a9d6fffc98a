"""HR's buttons on an escalation: view the request, add a note to its thread, override a block."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.permissions import check_is_hr
from bot.services.decisions import DecisionRef, Move, check_move
from bot.services.queries import get_for_user
from bot.slack.builders.followup_modals import build_text_modal, hr_note_form, override_form
from bot.slack.builders.replies import build_status
from bot.slack.deps import Deps
from bot.slack.ids import Action
from bot.slack.listeners.context import is_hr, team_of, user_of
from bot.slack.listeners.errors import answered
from bot.slack.refs import RequestRef


def _value(body: dict[str, Any]) -> str:
    return str(body["actions"][0]["value"])


def register(app: AsyncApp, deps: Deps) -> None:
    @app.action(Action.HR_VIEW)
    @answered
    async def handle_hr_view_action(
        ack: AsyncAck,
        body: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
        context: AsyncBoltContext,
    ) -> None:
        await ack()
        hr = await is_hr(deps, client, context)
        check_is_hr(hr, "view any request")
        record = await get_for_user(
            deps.sessions,
            team_id=team_of(context),
            secondment_id=RequestRef.decode(_value(body)).secondment_id,
            user_id=user_of(context),
            policy=deps.policy,
            actor_is_hr=hr,
        )
        message = build_status(record, user_of(context))
        await respond(**message.as_kwargs(), response_type="ephemeral", replace_original=False)

    @app.action(Action.HR_NOTE)
    @answered
    async def handle_hr_note_action(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        hr = await is_hr(deps, client, context)
        check_is_hr(hr, "add an HR note")
        ref = RequestRef.decode(_value(body))
        record = await get_for_user(
            deps.sessions,
            team_id=team_of(context),
            secondment_id=ref.secondment_id,
            user_id=user_of(context),
            policy=deps.policy,
            actor_is_hr=hr,
        )
        await client.views_open(
            trigger_id=body["trigger_id"], view=build_text_modal(hr_note_form(record), ref.encode())
        )

    @app.action(Action.HR_OVERRIDE)
    @answered
    async def handle_hr_override_action(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        ref = DecisionRef.decode(_value(body))
        record = await check_move(
            deps.sessions,
            team_id=team_of(context),
            ref=ref,
            actor_id=user_of(context),
            move=Move.OVERRIDE,
            policy=deps.policy,
            actor_is_hr=await is_hr(deps, client, context),
        )
        form = override_form(record, ref.side, deps.policy.block_reason_min_chars)
        await client.views_open(
            trigger_id=body["trigger_id"], view=build_text_modal(form, ref.encode())
        )
