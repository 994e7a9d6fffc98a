"""Modal submissions: the request form and the block form.

Both check and store before they ack, so a problem shows on the modal's own fields and a
stored change is never lost to a closed modal; messages go out after the ack.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.errors import Refusal
from bot.domain.states import Outcome
from bot.domain.validation import validate_block
from bot.services.decisions import DecisionRef, decide
from bot.services.requests import NewRequest, create_request
from bot.slack.builders.replies import build_refusal_view
from bot.slack.deps import Deps
from bot.slack.directory import check_request
from bot.slack.ids import Callback
from bot.slack.listeners.context import team_of, user_of
from bot.slack.listeners.errors import answered
from bot.slack.parsing import parse_block_form, parse_request_form
from bot.slack.publish import open_approval_thread, publish_decision


def register(app: AsyncApp, deps: Deps) -> None:
    @app.view(Callback.REQUEST)
    @answered
    async def handle_request_submission(
        ack: AsyncAck, view: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        now, user = datetime.now(UTC), user_of(context)
        form = parse_request_form(view["state"]["values"])
        terms = await check_request(client, form, user, deps.policy, now)
        if isinstance(terms, dict):
            await ack(response_action="errors", errors=terms)
            return
        assert form.home_manager_id and form.host_manager_id
        request = NewRequest(
            view["id"], team_of(context), user, form.home_manager_id, form.host_manager_id, terms
        )
        created = await create_request(deps.sessions, request, policy=deps.policy, now=now)
        await ack()
        if created.is_new:
            await open_approval_thread(client, deps, created.record)

    @app.view(Callback.BLOCK)
    @answered
    async def handle_block_submission(
        ack: AsyncAck, view: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        details = validate_block(parse_block_form(view["state"]["values"]), deps.policy)
        if isinstance(details, dict):
            await ack(response_action="errors", errors=details)
            return
        try:
            made = await decide(
                deps.sessions,
                team_id=team_of(context),
                ref=DecisionRef.decode(view["private_metadata"]),
                actor_id=user_of(context),
                outcome=Outcome.BLOCKED,
                policy=deps.policy,
                now=datetime.now(UTC),
                block=details,
            )
        except Refusal as refusal:
            # The request moved on while the modal was open: say so in the modal itself.
            await ack(response_action="update", view=build_refusal_view(refusal))
            return
        await ack()
        await publish_decision(client, made)
