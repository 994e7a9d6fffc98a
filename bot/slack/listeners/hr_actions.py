"""HR's buttons on an escalation: view the request, add a note to its thread, override a block."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.services.decisions import DecisionRef, Move
from bot.slack.builders.followup_modals import build_text_modal, hr_note_form, override_form
from bot.slack.builders.replies import build_status
from bot.slack.deps import Deps
from bot.slack.ids import Action
from bot.slack.listeners.context import user_of
from bot.slack.listeners.errors import answered
from bot.slack.listeners.openers import may_make, opens_modal, visible


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
        record = await visible(deps, hr_action="view any request")(
            context, client, str(body["actions"][0]["value"])
        )
        message = build_status(record, user_of(context))
        await respond(**message.as_kwargs(), response_type="ephemeral", replace_original=False)

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
