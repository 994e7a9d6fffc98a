"""Ending a secondment early, end to end: any of the three, with a reason and a notice period;
the others are told, the last day moves, and the check-ins and the debrief follow it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import select

from bot.models import Nudge, TermsVersion
from bot.slack.ids import Action, Callback
from bot.slack_standin.recorded import Call
from tests.support import forms
from tests.support.flows import approved, click_then_submit, request_ref
from tests.support.harness import EMPLOYEE, HOME, HOST, OUTSIDER, Harness, Thread

START, END = date(2027, 2, 1), date(2027, 7, 30)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=UTC)


async def under_way(bot: Harness, clock: time_machine.Traveller) -> Thread:
    thread = await approved(bot, START, END)
    await bot.sweep(at(2, 1, 9))
    clock.move_to(at(3, 10, 11))  # Wednesday 10 March
    return thread


async def test_the_host_ends_it_early_and_the_last_day_moves(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread = await under_way(bot, clock)

    answer = await click_then_submit(
        bot,
        HOST,
        Action.END_EARLY,
        request_ref(thread),
        thread,
        Callback.END_EARLY,
        forms.early_end_values("The project was cancelled by the client.", "2"),
    )

    assert answer == ""
    (reply,) = await bot.slack.wait_for(
        "chat.postMessage",
        where=lambda c: (
            c.body.get("thread_ts") == thread.ts and "ended secondment #1 early" in c.text
        ),
    )
    assert "now Wed 24 Mar 2027 (was Fri 30 Jul 2027)" in reply.text
    assert "project was cancelled" in reply.blocks_text and reply.body["reply_broadcast"]
    for person in (EMPLOYEE, HOME):

        def told_of_the_early_end(c: Call, p: str = person) -> bool:
            return c.body["channel"] == p and "early" in c.text

        await bot.slack.wait_for("chat.postMessage", where=told_of_the_early_end)
    row = await bot.secondment(thread.secondment_id)
    assert (row.status, row.terms_version, row.outcome) == ("active", 2, "ended_early")
    async with bot.sessions() as session:
        versions = await session.scalars(select(TermsVersion).order_by(TermsVersion.version))
        assert [v.end_date for v in versions] == [END, date(2027, 3, 24)]
        waiting = (
            await session.scalars(
                select(Nudge).where(Nudge.sent_at.is_(None), Nudge.cancelled_at.is_(None))
            )
        ).all()
    # Nothing after the new last day; the debrief is asked for on it.
    assert max(n.due_at for n in waiting) < at(3, 26, 0)
    assert {n.kind for n in waiting if n.due_at.date() == date(2027, 3, 24)} == {"debrief_request"}
    await bot.sweep(at(3, 23, 9))  # the check-ins until then
    assert await bot.sweep(at(3, 24, 9)) == 2  # the debrief, to the employee and home manager


async def test_ending_early_needs_a_reason_and_a_notice_that_ends_before_the_end(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread = await under_way(bot, clock)

    answer = await click_then_submit(
        bot,
        EMPLOYEE,
        Action.END_EARLY,
        request_ref(thread),
        thread,
        Callback.END_EARLY,
        forms.early_end_values("too bad", "30"),
    )
    too_long = await click_then_submit(
        bot,
        EMPLOYEE,
        Action.END_EARLY,
        request_ref(thread),
        thread,
        Callback.END_EARLY,
        forms.early_end_values("I am needed back at home urgently.", "25"),
    )

    assert set(json.loads(answer)["errors"]) == {"reason", "notice_weeks"}
    assert "on or after the current end date" in json.loads(too_long)["errors"]["notice_weeks"]
    assert (await bot.secondment(thread.secondment_id)).terms_version == 1


async def test_only_the_three_can_end_it_and_only_while_it_is_under_way(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread = await under_way(bot, clock)
    pending = await bot.submit_request(date(2027, 4, 5), date(2027, 6, 25))

    _, stranger = await bot.click(OUTSIDER, Action.END_EARLY, request_ref(thread), thread)
    _, not_started = await bot.click(EMPLOYEE, Action.END_EARLY, request_ref(pending), pending)

    assert "can't find secondment #1" in (await bot.reply_to(stranger)).text
    assert (
        "no longer awaiting decisions: it is awaiting decisions"
        not in (await bot.reply_to(not_started)).text
    )
