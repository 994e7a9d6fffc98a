"""Buttons that open a form: acknowledge, check who may act on what was clicked (raising the
refusal to show otherwise), then open the form's modal. Most buttons that lead to a modal differ
only in those two steps, so they are registered here with a loader and a builder."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.decisions import DecisionRef, Move
from bot.domain.permissions import check_is_hr
from bot.domain.record import SecondmentRecord
from bot.services.moves import check_move
from bot.services.queries import get_for_user
from bot.slack.deps import Deps
from bot.slack.ids import Action
from bot.slack.listeners.acting import acting
from bot.slack.listeners.context import as_hr_if_theirs, button_value
from bot.slack.listeners.errors import answered
from bot.slack.refs import secondment_of

Subject = TypeVar("Subject")
# A loader reads what the button's value names and raises a refusal if the clicker may not act.
Loader = Callable[[AsyncBoltContext, AsyncWebClient, str], Awaitable[Subject]]
Check = Callable[[SecondmentRecord, str], None]


def opens_modal(
    app: AsyncApp,
    action: Action,
    load: Loader[Subject],
    build: Callable[[Subject, str], View],
) -> None:
    """Register a button that opens a form once `load` says the clicker may act on it."""

    @answered
    async def handle_modal_button_action(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        """Load what the button names, checking the clicker, then open its form."""
        await ack()
        value = button_value(body)
        subject = await load(context, client, value)
        await client.views_open(trigger_id=body["trigger_id"], view=build(subject, value))

    app.action(action)(handle_modal_button_action)


def visible(
    deps: Deps,
    check: Check | None = None,
    *,
    hr_action: str | None = None,
) -> Loader[SecondmentRecord]:
    """Load the request a value names, if the clicker may see it and `check` passes; with
    `hr_action`, only for HR (who may open any request)."""

    async def load(
        context: AsyncBoltContext, client: AsyncWebClient, value: str
    ) -> SecondmentRecord:
        """The request the value names, once the clicker is allowed it."""
        actor_is_hr = False
        if hr_action is not None:
            actor_is_hr = await acting(context).is_hr(client)
            check_is_hr(actor_is_hr, hr_action)
        return await get_for_user(
            deps.sessions,
            secondment_id=secondment_of(value),
            actor=acting(context).actor(is_hr=actor_is_hr),
            check=check,
        )

    return load


def may_make(deps: Deps, move: Move | None) -> Loader[SecondmentRecord]:
    """Load the request a decision button names, if the clicker may make `move` on its side
    (None: whichever the state allows); an override is HR's, so only then, or on a side HR
    decides, is HR looked up."""

    async def load(
        context: AsyncBoltContext, client: AsyncWebClient, value: str
    ) -> SecondmentRecord:
        """The request the decision button names, once the clicker is allowed the move."""

        def check(as_hr: bool) -> Awaitable[SecondmentRecord]:
            """Check the move, as the clicker or as HR."""
            return check_move(
                deps.sessions,
                ref=DecisionRef.decode(value),
                move=move,
                actor=acting(context).actor(is_hr=as_hr),
            )

        if move is Move.OVERRIDE:
            return await check(await acting(context).is_hr(client))
        # A side HR decides because its decider's account was deactivated: HR may block it.
        return await as_hr_if_theirs(check, lambda: acting(context).is_hr(client))

    return load
