"""Steps a person takes in Slack, composed from the harness: click, then fill the modal that
opens, exactly as the client would send them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.domain.decisions import DecisionRef
from bot.domain.states import Side
from bot.models import Decision
from bot.slack.ids import Action, Callback
from bot.slack.refs import RequestRef
from tests.support import forms
from tests.support.harness import HOME, HOST, Harness, Thread


def ref(thread: Thread, side: Side, version: int = 1) -> DecisionRef:
    """The reference a side's decision buttons carry in the thread."""
    return DecisionRef(thread.secondment_id, side, version)


def request_ref(thread: Thread, version: int = 1) -> RequestRef:
    """The reference a request's buttons carry in the thread."""
    return RequestRef(thread.secondment_id, version)


async def approve(bot: Harness, user: str, thread: Thread, side: Side, version: int = 1) -> str:
    """`user` clicks Approve on one side; returns the name of the private reply."""
    response, reply_name = await bot.click(user, Action.APPROVE, ref(thread, side, version), thread)
    assert response.status == 200
    return reply_name


async def click_then_submit(
    bot: Harness,
    user: str,
    action: Action,
    value: DecisionRef | RequestRef,
    thread: Thread,
    callback: Callback,
    values: forms.Values,
) -> str:
    """Click a button that opens a modal, then submit the modal; returns the raw response."""
    before = len(
        [c for c in bot.slack.sent("views.open") if c.body["view"]["callback_id"] == callback]
    )
    response, _ = await bot.click(user, action, value, thread)
    assert response.status == 200
    opened = await bot.slack.wait_for(
        "views.open", before + 1, where=lambda c: c.body["view"]["callback_id"] == callback
    )
    view = opened[-1].body["view"]
    submitted = await bot.submit(user, callback, values, private_metadata=view["private_metadata"])
    assert submitted.status == 200
    return await submitted.text()


async def block(
    bot: Harness, user: str, thread: Thread, side: Side, version: int = 1, **values: object
) -> None:
    """`user` clicks Block on one side and submits the block form with `values`."""
    answer = await click_then_submit(
        bot,
        user,
        Action.BLOCK,
        ref(thread, side, version),
        thread,
        Callback.BLOCK,
        forms.block_values(**values),  # type: ignore[arg-type]
    )
    assert answer == ""


async def delegate(bot: Harness, thread: Thread, side: Side, to: str) -> None:
    """The side's manager hands its decision to `to`; returns once the thread shows it."""
    manager = HOME if side is Side.HOME else HOST
    before = len(bot.updates(thread))
    answer = await click_then_submit(
        bot,
        manager,
        Action.DELEGATE,
        ref(thread, side),
        thread,
        Callback.DELEGATE,
        forms.delegate_values(to),
    )
    assert answer == ""
    await bot.slack.wait_for("chat.update", before + 1)


async def decisions(bot: Harness) -> list[Decision]:
    """Every decision stored, in the order made."""
    async with bot.sessions() as session:
        return list(await session.scalars(select(Decision).order_by(Decision.id)))


async def approved(bot: Harness, start: date, end: date) -> Thread:
    """A request both managers approved, with its thread updated."""
    thread = await bot.submit_request(start, end)
    await approve(bot, HOME, thread, Side.HOME)
    await approve(bot, HOST, thread, Side.HOST)
    await bot.slack.wait_for(
        "chat.postMessage", where=lambda c: "Both managers have approved" in c.text
    )
    await bot.slack.wait_for("chat.update", 2)
    return thread


async def blocked(bot: Harness, start: date, end: date) -> Thread:
    """A request the home manager blocked (no cover for the on-call rota), its thread updated."""
    thread = await bot.submit_request(start, end)
    await block(
        bot,
        HOME,
        thread,
        Side.HOME,
        reason="cover",
        explanation="Nobody can cover the on-call rota before March.",
    )
    await bot.slack.wait_for("chat.update")
    return thread
