"""Buttons that open a way forward: respond to a block, ask HR, propose changes, withdraw."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.permissions import check_can_ask_hr, check_can_change, check_can_respond
from bot.domain.record import SecondmentRecord
from bot.services.queries import get_for_user
from bot.services.withdrawal import withdraw
from bot.slack.builders.followup_modals import ask_hr_form, build_text_modal, respond_form
from bot.slack.builders.request_modal import build_change_modal
from bot.slack.deps import Deps
from bot.slack.ids import Action
from bot.slack.listeners.context import team_of, user_of
from bot.slack.listeners.errors import answered
from bot.slack.publish import publish_withdrawal
from bot.slack.refs import RequestRef


def _ref(body: dict[str, Any]) -> RequestRef:
    return RequestRef.decode(body["actions"][0]["value"])


def register(app: AsyncApp, deps: Deps) -> None:
    async def _visible(
        context: AsyncBoltContext, ref: RequestRef, check: Callable[[SecondmentRecord, str], None]
    ) -> SecondmentRecord:
        return await get_for_user(
            deps.sessions,
            team_id=team_of(context),
            secondment_id=ref.secondment_id,
            user_id=user_of(context),
            policy=deps.policy,
            check=check,
        )

    @app.action(Action.RESPOND)
    @answered
    async def handle_respond_action(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        ref = _ref(body)
        record = await _visible(context, ref, check_can_respond)
        await client.views_open(
            trigger_id=body["trigger_id"], view=build_text_modal(respond_form(record), ref.encode())
        )

    @app.action(Action.ASK_HR)
    @answered
    async def handle_ask_hr_action(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        ref = _ref(body)
        record = await _visible(
            context,
            ref,
            functools.partial(check_can_ask_hr, hr_configured=deps.policy.hr_configured),
        )
        await client.views_open(
            trigger_id=body["trigger_id"], view=build_text_modal(ask_hr_form(record), ref.encode())
        )

    @app.action(Action.PROPOSE_CHANGE)
    @answered
    async def handle_propose_change_action(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        record = await _visible(context, _ref(body), check_can_change)
        await client.views_open(trigger_id=body["trigger_id"], view=build_change_modal(record))

    @app.action(Action.WITHDRAW)
    @answered
    async def handle_withdraw_action(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        record = await withdraw(
            deps.sessions,
            team_id=team_of(context),
            secondment_id=_ref(body).secondment_id,
            actor_id=user_of(context),
            policy=deps.policy,
            now=datetime.now(UTC),
        )
        await publish_withdrawal(client, record)
