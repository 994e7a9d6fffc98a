"""The return debrief, end to end: on the end date the employee and the home manager are asked to
hold it (and HR hears it is due); recording it shares it with the home manager and completes the
secondment with its outcome."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from bot.domain.kinds import CheckInAnswer
from bot.models import Debrief, Nudge
from bot.slack.ids import Action, Callback
from bot.slack.refs import CheckInRef
from tests.support import forms
from tests.support.flows import approved, click_then_submit, request_ref
from tests.support.harness import EMPLOYEE, HOME, HOST, Harness, Thread

START, END = date(2027, 2, 1), date(2027, 4, 30)  # ends on a Friday, in British summer time
HR = "U0HRPERSON"


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=UTC)


async def at_the_end(bot: Harness, clock: time_machine.Traveller) -> Thread:
    thread = await approved(bot, START, END)
    await bot.sweep(at(2, 1, 9))  # the start
    await bot.sweep(at(4, 26, 9))  # the last end-of-term ask, the latest check-in held a day
    await bot.sweep(at(4, 27, 9))  # check-in 6, left unanswered
    await bot.sweep(at(4, 30, 7, 59))
    clock.move_to(at(4, 30, 8))
    return thread


def dms(bot: Harness, user: str, containing: str) -> list[str]:
    return [
        c.text
        for c in bot.slack.sent("chat.postMessage", channel=user)
        if containing in c.text and c.error is None
    ]


@pytest.mark.settings(hr_users=HR)
async def test_on_the_end_date_the_debrief_is_asked_for_and_hr_told(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    bot.slack.add_user(HR)
    await at_the_end(bot, clock)

    assert await bot.sweep(at(4, 30, 8)) == 3  # 09:00 in London
    assert dms(bot, EMPLOYEE, "please hold the return debrief")
    assert dms(bot, HOME, "please hold the return debrief")
    assert dms(bot, HR, "return debrief is due")
    assert not dms(bot, HOST, "return debrief")


async def test_recording_the_debrief_completes_the_secondment_and_shares_it(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread = await at_the_end(bot, clock)
    await bot.sweep(at(4, 30, 8))

    answer = await click_then_submit(
        bot,
        EMPLOYEE,
        Action.RECORD_DEBRIEF,
        request_ref(thread),
        thread,
        Callback.DEBRIEF,
        forms.debrief_values(changes="Take on the weekly reporting."),
    )

    assert answer == ""
    (shared,) = await bot.slack.wait_for(
        "chat.postMessage", where=lambda c: c.body["channel"] == HOME and "is complete" in c.text
    )
    for expected in (
        "Shipped the dashboard.",
        "dbt, SQL review",
        "The data model docs.",
        "Take on the weekly reporting.",
        "Lead the reporting work at home.",
    ):
        assert expected in shared.blocks_text, expected
    row = await bot.secondment(thread.secondment_id)
    assert (row.status, row.outcome) == ("completed", "returned")
    await bot.slack.wait_for("chat.update", where=lambda c: "🏁 *Completed*" in c.blocks_text)
    await bot.handled()  # and marked sent
    async with bot.sessions() as session:
        (debrief,) = (await session.scalars(select(Debrief))).all()
        waiting = (
            await session.scalars(
                select(Nudge).where(Nudge.sent_at.is_(None), Nudge.cancelled_at.is_(None))
            )
        ).all()
    assert debrief.recorded_by == EMPLOYEE
    # All that is left is the follow-up, 30 days after the return.
    assert [(n.kind, n.due_at) for n in waiting] == [("follow_up", at(5, 31, 8))]
    _, status = await bot.command(HOME, "status 1")
    assert "Returned to the home role" in (await bot.reply_to(status)).blocks_text
    # The check-ins left unanswered closed with the secondment: none keeps its buttons.
    asked = [m for m in bot.slack.posted("D" + EMPLOYEE[1:]) if "check-in" in m["text"]]
    # (Check-in 6's question and its reminder: the ones before were never asked.)
    assert len(asked) == len(dms(bot, EMPLOYEE, "check-in 6")) == 2
    assert all("has closed: the secondment is complete" in m["text"] for m in asked)
    assert "check_in_on_track" not in json.dumps([m["blocks"] for m in asked])


async def test_the_debrief_needs_its_answers_and_the_right_people(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread = await at_the_end(bot, clock)

    empty = await click_then_submit(
        bot,
        HOME,
        Action.RECORD_DEBRIEF,
        request_ref(thread),
        thread,
        Callback.DEBRIEF,
        forms.debrief_values(achieved=None, next_step=" "),
    )
    _, by_host = await bot.click(HOST, Action.RECORD_DEBRIEF, request_ref(thread), thread)

    assert set(json.loads(empty)["errors"]) == {"achieved", "next_step"}
    assert (
        f"Only <@{EMPLOYEE}> or <@{HOME}> can record the return debrief"
        in (await bot.reply_to(by_host)).text
    )
    assert (await bot.secondment(thread.secondment_id)).status == "active"


async def test_the_debrief_opens_a_week_before_the_end(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread = await approved(bot, START, END)
    await bot.sweep(at(2, 1, 9))
    clock.move_to(at(4, 20, 10))

    answer = await click_then_submit(
        bot,
        EMPLOYEE,
        Action.RECORD_DEBRIEF,
        request_ref(thread),
        thread,
        Callback.DEBRIEF,
        forms.debrief_values(),
    )

    assert "opens on Fri 23 Apr 2027" in json.dumps(json.loads(answer)["view"])
    assert (await bot.secondment(thread.secondment_id)).status == "active"


async def test_a_month_after_the_return_the_follow_up_asks_and_reaches_the_home_manager(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread = await at_the_end(bot, clock)
    await bot.sweep(at(4, 30, 8))
    await click_then_submit(
        bot,
        EMPLOYEE,
        Action.RECORD_DEBRIEF,
        request_ref(thread),
        thread,
        Callback.DEBRIEF,
        forms.debrief_values(),
    )
    await bot.slack.wait_for("chat.update")

    assert await bot.sweep(at(5, 31, 7, 59)) == 0
    assert await bot.sweep(at(5, 31, 8)) == 1  # 30 days after the end, 09:00 in London
    assert len(dms(bot, EMPLOYEE, "How is the return going?")) == 1
    ref = CheckInRef(thread.secondment_id, 0, CheckInAnswer.CONCERNS)
    await bot.click(EMPLOYEE, Action.CHECK_IN_CONCERNS, ref, thread)
    opened = await bot.opened_modal(Callback.CHECK_IN)
    assert f"<@{HOME}> (home manager) will see it" in json.dumps(opened.body["view"])
    values = {
        "check_in_note": {"check_in_note": forms.text("Nobody uses what I learned.")},
        "check_in_share": {"check_in_share": forms.checkboxes([])},
    }
    response = await bot.submit(
        EMPLOYEE,
        Callback.CHECK_IN,
        values,
        private_metadata=opened.body["view"]["private_metadata"],
    )

    assert await response.text() == ""
    (alert,) = await bot.slack.wait_for(
        "chat.postMessage",
        where=lambda c: c.body["channel"] == HOME and "the follow-up after the return" in c.text,
    )
    assert "Nobody uses what I learned." in alert.blocks_text
    assert not [
        c
        for c in bot.slack.sent("chat.postMessage", channel=HOST)
        if "Nobody uses" in c.blocks_text
    ]


@pytest.mark.settings(hr_users=HR)
async def test_a_debrief_request_that_arrives_late_says_when_it_ended(bot: Harness) -> None:
    bot.slack.add_user(HR)
    await approved(bot, START, END)
    await bot.sweep(at(2, 1, 9))

    await bot.sweep(at(5, 10, 9))  # back ten days after the end

    (request,) = dms(bot, EMPLOYEE, "please hold the return debrief")
    assert request.startswith("🏁 Secondment #1 ended on Fri 30 Apr 2027.")
    (notice,) = dms(bot, HR, "return debrief is due")
    assert notice.startswith("Secondment #1 ended on Fri 30 Apr 2027;")


async def test_a_debrief_request_on_the_weekend_after_a_friday_end_says_it_ended(
    bot: Harness,
) -> None:
    await approved(bot, START, END)
    await bot.sweep(at(2, 1, 9))

    await bot.sweep(at(5, 1, 10))  # back on Saturday 1 May: the end date was Friday

    (request,) = dms(bot, EMPLOYEE, "please hold the return debrief")
    assert request.startswith("🏁 Secondment #1 ended on Fri 30 Apr 2027.")
