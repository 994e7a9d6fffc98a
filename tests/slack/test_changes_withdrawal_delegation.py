"""Changing the terms, withdrawing, and delegating a decision, end to end, including a change and
a withdrawal racing an approval."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import select

from bot.domain.nudge_catalogue import SAID
from bot.domain.states import Side
from bot.models import Nudge, TermsVersion
from bot.slack.ids import Action, Callback
from tests.support import forms, wire
from tests.support.flows import approve, click_then_submit, decisions, ref, request_ref
from tests.support.harness import EMPLOYEE, HOME, HOST, OUTSIDER, Harness, buttons_in

START, END = date(2027, 2, 1), date(2027, 7, 30)
DELEGATE = "U0DEPUTY"


async def test_the_employee_changes_the_terms_and_both_managers_are_asked_again(
    bot: Harness,
) -> None:
    thread = await bot.submit_request(START, END)
    await approve(bot, HOME, thread, Side.HOME)
    await bot.slack.wait_for("chat.update")

    answer = await click_then_submit(
        bot,
        EMPLOYEE,
        Action.PROPOSE_CHANGE,
        request_ref(thread),
        thread,
        Callback.CHANGE,
        forms.change_values(start=date(2027, 3, 1), end=END, note="The handover runs long."),
    )

    assert answer == ""
    (change,) = await bot.slack.wait_for(
        "chat.postMessage", where=lambda c: "changed the terms" in c.text
    )
    await bot.handled()  # the parent is re-drawn after the reply
    for expected in (
        "version 2",
        "Mon 1 Feb 2027 → Mon 1 Mar 2027",
        "The handover runs long.",
        f"<@{HOME}> and <@{HOST}>, please decide on version 2",
    ):
        assert expected in change.blocks_text, expected
    row = await bot.secondment(thread.secondment_id)
    assert (row.terms_version, row.home_state, row.host_state) == (2, "pending", "pending")
    async with bot.sessions() as session:
        versions = await session.scalars(select(TermsVersion).order_by(TermsVersion.version))
        assert [(v.version, v.start_date) for v in versions] == [(1, START), (2, date(2027, 3, 1))]
    parent = bot.updates(thread)[-1]
    assert {b["value"] for b in buttons_in(parent)} == {"1:home:2", "1:host:2"}


async def test_a_change_that_changes_nothing_is_answered_in_the_modal(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)

    answer = await click_then_submit(
        bot,
        EMPLOYEE,
        Action.PROPOSE_CHANGE,
        request_ref(thread),
        thread,
        Callback.CHANGE,
        forms.change_values(start=START, end=END),
    )

    assert "Nothing in the terms changed" in json.loads(answer)["errors"]["change_note"]


async def test_only_the_employee_can_propose_changes_or_withdraw(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)
    replies = []
    for action in (Action.PROPOSE_CHANGE, Action.WITHDRAW):
        for user in (HOME, OUTSIDER):
            _, name = await bot.click(user, action, request_ref(thread), thread)
            replies.append((user, (await bot.reply_to(name)).text))

    assert all(f"Only <@{EMPLOYEE}> can" in text for user, text in replies if user == HOME)
    assert all("can't find secondment #1" in text for user, text in replies if user == OUTSIDER)
    assert (await bot.secondment(thread.secondment_id)).status == "pending"


async def test_withdrawing_closes_the_request_and_cancels_its_reminders(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)

    response, _ = await bot.click(EMPLOYEE, Action.WITHDRAW, request_ref(thread), thread)

    assert response.status == 200
    (reply,) = await bot.slack.wait_for(
        "chat.postMessage", where=lambda c: "withdrew request #1" in c.text
    )
    assert reply.body["reply_broadcast"] is True
    (update,) = await bot.slack.wait_for("chat.update")
    assert "Withdrawn" in update.blocks_text
    assert not [b for b in json.loads(update.blocks_text) if b["type"] == "actions"]
    async with bot.sessions() as session:
        nudges = (await session.scalars(select(Nudge).where(Nudge.kind.not_in(SAID)))).all()
    assert nudges and all(n.cancelled_at is not None and n.sent_at is None for n in nudges)
    late = await approve(bot, HOST, thread, Side.HOST)
    assert "no longer awaiting decisions: it is withdrawn" in (await bot.reply_to(late)).text


async def test_withdrawal_is_refused_once_the_secondment_has_started(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread = await bot.submit_request(START, END)
    for manager, side in ((HOME, Side.HOME), (HOST, Side.HOST)):
        await approve(bot, manager, thread, side)
    await bot.slack.wait_for("chat.update", 2)
    clock.move_to(datetime(2027, 2, 1, 9, 0, tzinfo=UTC))

    _, name = await bot.click(EMPLOYEE, Action.WITHDRAW, request_ref(thread), thread)

    assert "started on Mon 1 Feb 2027" in (await bot.reply_to(name)).text
    assert (await bot.secondment(thread.secondment_id)).status == "approved"


async def test_a_withdrawal_racing_an_approval_ends_withdrawn(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)
    await approve(bot, HOME, thread, Side.HOME)
    await bot.slack.wait_for("chat.update")

    await asyncio.gather(
        bot.click(EMPLOYEE, Action.WITHDRAW, request_ref(thread), thread),
        approve(bot, HOST, thread, Side.HOST),
    )

    await bot.slack.wait_for("chat.postMessage", where=lambda c: "withdrew request" in c.text)
    row = await bot.secondment(thread.secondment_id)
    assert row.status == "withdrawn"
    announced = [c for c in bot.slack.sent("chat.postMessage") if "Both managers" in c.text]
    # The approval either landed first (announced, then withdrawn) or was refused.
    assert len(announced) == (1 if row.host_state == "approved" else 0)


async def test_a_change_racing_an_approval_never_counts_the_approval_for_the_new_terms(
    bot: Harness,
) -> None:
    thread = await bot.submit_request(START, END)
    values = forms.change_values(start=date(2027, 3, 1), end=END)
    await bot.click(EMPLOYEE, Action.PROPOSE_CHANGE, request_ref(thread), thread)
    opened = await bot.opened_modal(Callback.CHANGE)

    await asyncio.gather(
        bot.submit(
            EMPLOYEE,
            Callback.CHANGE,
            values,
            private_metadata=opened.body["view"]["private_metadata"],
        ),
        approve(bot, HOST, thread, Side.HOST, version=1),
    )

    await bot.slack.wait_for("chat.postMessage", where=lambda c: "changed the terms" in c.text)
    row = await bot.secondment(thread.secondment_id)
    assert (row.terms_version, row.host_state) == (2, "pending")
    assert all(d.terms_version == 1 for d in await decisions(bot))


async def test_a_manager_delegates_and_the_delegate_decides_on_their_behalf(bot: Harness) -> None:
    bot.slack.add_user(DELEGATE)
    thread = await bot.submit_request(START, END)

    answer = await click_then_submit(
        bot,
        HOME,
        Action.DELEGATE,
        ref(thread, Side.HOME),
        thread,
        Callback.DELEGATE,
        forms.delegate_values(DELEGATE),
    )

    assert answer == ""
    await bot.slack.wait_for(
        "chat.postMessage",
        where=lambda c: f"handed the home manager decision to <@{DELEGATE}>" in c.text,
    )
    (notice,) = await bot.slack.wait_for(
        "chat.postMessage", where=lambda c: c.body["channel"] == DELEGATE
    )
    assert "on their behalf" in notice.text and "decision_approve" in notice.blocks_text
    # The delegate is not in the group DM: they decide from their own DM.
    response_url = bot.new_response_url()
    body = wire.block_action(
        DELEGATE,
        Action.APPROVE,
        ref(thread, Side.HOME).encode(),
        response_url=response_url,
        channel_id="D0DEPUTY",
        message_ts="1800000000.000099",
    )
    assert (await bot.post(body)).status == 200
    # (Sent side by side: which arrives first is not fixed.)
    (reply, copy) = sorted(
        await bot.slack.wait_for(
            "chat.postMessage", 2, where=lambda c: "approved the *home manager* side" in c.text
        ),
        key=lambda c: "thread_ts" not in c.body,
    )
    assert f"<@{DELEGATE}> (on behalf of <@{HOME}>)" in reply.text
    # Not one of the three in the thread, the delegate is sent their own copy.
    assert reply.body["thread_ts"] == thread.ts
    assert copy.body["channel"] == DELEGATE and copy.text.startswith("Recorded: ")
    decision = (await decisions(bot))[-1]
    assert (decision.decided_by, decision.on_behalf_of) == (DELEGATE, HOME)
    async with bot.sessions() as session:
        reminders = (await session.scalars(select(Nudge).where(Nudge.side == "home"))).all()
    assert {n.recipient_id for n in reminders if n.cancelled_at is None} <= {DELEGATE}


async def test_a_delegate_who_cannot_decide_is_refused_in_the_modal(bot: Harness) -> None:
    bot.slack.add_user("U0ROBOT", is_bot=True)
    thread = await bot.submit_request(START, END)
    cases = {
        EMPLOYEE: "can't decide their own request",
        HOST: "already decide the other side",
        "U0ROBOT": "bot or has been deactivated",
        "U0NOBODY": "can't find this person",
    }

    for person, expected in cases.items():
        answer = await click_then_submit(
            bot,
            HOME,
            Action.DELEGATE,
            ref(thread, Side.HOME),
            thread,
            Callback.DELEGATE,
            forms.delegate_values(person),
        )
        assert expected in json.loads(answer)["errors"]["delegate"], person
    assert (await bot.secondment(thread.secondment_id)).home_delegate_id is None


async def test_only_the_manager_can_delegate_their_side(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)

    _, name = await bot.click(HOST, Action.DELEGATE, ref(thread, Side.HOME), thread)

    assert f"Only <@{HOME}> can decide the home manager side" in (await bot.reply_to(name)).text
