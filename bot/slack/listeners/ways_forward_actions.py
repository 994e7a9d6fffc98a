"""Buttons that open a way forward: respond to a block, ask HR, propose changes, withdraw."""

from __future__ import annotations

import functools
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.permissions import check_can_ask_hr, check_can_change, check_can_respond
from bot.services.withdrawal import withdraw
from bot.slack.builders.request_modal import build_change_modal
from bot.slack.builders.ways_forward_modals import ask_hr_form, build_text_modal, respond_form
from bot.slack.delivery import deliver_now
from bot.slack.deps import Deps
from bot.slack.ids import Action
from bot.slack.listeners.acting import acting
from bot.slack.listeners.context import button_value, changing
from bot.slack.listeners.errors import answered
from bot.slack.listeners.openers import opens_modal, visible
from bot.slack.refs import RequestRef


def register(app: AsyncApp, deps: Deps) -> None:
    """Wire the ways forward's buttons: respond, ask HR, propose changes, withdraw."""
    opens_modal(
        app,
        Action.RESPOND,
        visible(deps, check_can_respond),
        lambda record, value: build_text_modal(respond_form(record), value),
    )
    may_ask_hr = functools.partial(check_can_ask_hr, hr_configured=deps.policy.hr_configured)
    opens_modal(
        app,
        Action.ASK_HR,
        visible(deps, may_ask_hr),
        lambda record, value: build_text_modal(ask_hr_form(record), value),
    )
    opens_modal(
        app,
        Action.PROPOSE_CHANGE,
        visible(deps, check_can_change),
        lambda record, value: build_change_modal(record, deps.policy.rules),
    )

    @app.action(Action.WITHDRAW)
    @answered
    async def handle_withdraw_action(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        """Withdraw the request, for its employee, and say so in the thread."""
        await ack()
        async with changing(deps, context):
            record = await withdraw(
                deps.sessions,
                secondment_id=RequestRef.decode(button_value(body)).secondment_id,
                announce=deps.say.withdrawal,
                actor=acting(context).actor(),
            )
        await deliver_now(client, deps, record)
