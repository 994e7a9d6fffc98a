"""Timezones and working days for the nudges of a secondment under way, end to end.

The employee is in Los Angeles (UTC-8, UTC-7 from Sunday 14 March 2027), the host manager in
Brisbane (UTC+10 all year) and the home manager in London. Slack tells the bot each person's
timezone (users.info `tz`) when the request is submitted; every welcome, check-in, reminder,
debrief request and follow-up must then arrive at 09:00 on a working day where its recipient is.
A date on a weekend moves to the Monday. The sweep runs at explicit UTC moments, one minute
before and exactly at each expected 09:00, so an hour or a day off in either direction fails.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bot.domain.kinds import NudgeKind
from bot.models import Nudge
from bot.slack.ids import Action, Callback
from bot.slack_standin.recorded import Call
from tests.support import forms
from tests.support.flows import approved, click_then_submit, request_ref
from tests.support.harness import EMPLOYEE, HOME, HOST, Harness, Thread
from tests.support.rows import rows

LOS_ANGELES = "America/Los_Angeles"
BRISBANE = "Australia/Brisbane"
LONDON = "Europe/London"
HR = "U0HRPERSON"
MONDAY_START = date(2027, 2, 1)
SATURDAY_START = date(2027, 2, 6)
END = date(2027, 7, 30)  # a Friday


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=UTC)


def local(moment: datetime, tz: str) -> str:
    """A UTC moment as the recipient's wall clock, e.g. "Mon 01 Feb 09:00"."""
    return moment.astimezone(ZoneInfo(tz)).strftime("%a %d %b %H:%M")


async def spread_out(bot: Harness, start: date, end: date = END) -> Thread:
    """An approved request whose employee is in Los Angeles and host manager in Brisbane."""
    bot.slack.add_user(EMPLOYEE, tz=LOS_ANGELES)
    bot.slack.add_user(HOST, tz=BRISBANE)  # the home manager stays in London
    return await approved(bot, start, end)


def dms(bot: Harness, user: str, containing: str) -> list[Call]:
    return [
        c
        for c in bot.slack.sent("chat.postMessage", channel=user)
        if containing in c.text and c.error is None
    ]


async def due_times(
    bot: Harness, kind: NudgeKind, *, sequence: int | None = None
) -> dict[str | None, list[datetime]]:
    """When each recipient's nudges of this kind are due (None: HR or no message), in order;
    cancelled ones are left out."""
    found = await rows(bot.sessions, Nudge, Nudge.kind == kind, Nudge.cancelled_at.is_(None))
    times: dict[str | None, list[datetime]] = {}
    for nudge in found:
        if sequence is None or nudge.sequence == sequence:
            times.setdefault(nudge.recipient_id, []).append(nudge.due_at)
    return {recipient: sorted(due) for recipient, due in times.items()}


# --- the start ----------------------------------------------------------------------------------


async def test_the_start_date_welcomes_reach_each_person_at_nine_where_they_are(
    bot: Harness,
) -> None:
    thread = await spread_out(bot, MONDAY_START)

    # Monday 09:00 in Brisbane is Sunday 23:00 UTC; in London 09:00 UTC; in LA 17:00 UTC.
    assert await due_times(bot, NudgeKind.START_WELCOME) == {
        HOST: [at(1, 31, 23)],
        EMPLOYEE: [at(2, 1, 17)],
    }
    assert await due_times(bot, NudgeKind.COVERAGE_NOTICE) == {HOME: [at(2, 1, 9)]}
    # The secondment itself starts on the employee's clock.
    assert await due_times(bot, NudgeKind.SECONDMENT_START) == {None: [at(2, 1, 17)]}
    assert local(at(1, 31, 23), BRISBANE) == local(at(2, 1, 17), LOS_ANGELES) == "Mon 01 Feb 09:00"

    assert await bot.sweep(at(1, 31, 22, 59)) == 0  # Monday 08:59 in Brisbane
    assert await bot.sweep(at(1, 31, 23)) == 1
    assert len(dms(bot, HOST, "starts today")) == 1
    assert not dms(bot, EMPLOYEE, "starts today")  # still Sunday 15:00 in Los Angeles
    assert (await bot.secondment(thread.secondment_id)).status == "approved"

    assert await bot.sweep(at(2, 1, 8, 59)) == 0
    assert await bot.sweep(at(2, 1, 9)) == 1
    assert len(dms(bot, HOME, "coverage plan")) == 1

    assert await bot.sweep(at(2, 1, 16, 59)) == 0  # Monday 08:59 in Los Angeles
    assert not dms(bot, EMPLOYEE, "starts today")
    assert (await bot.secondment(thread.secondment_id)).status == "approved"
    assert (
        await bot.sweep(at(2, 1, 17)) == 4
    )  # the start, its thread note and re-drawn parent, and the employee's welcome
    assert len(dms(bot, EMPLOYEE, "starts today")) == 1
    assert (await bot.secondment(thread.secondment_id)).status == "active"

    assert await bot.sweep(at(2, 1, 23)) == 0  # once each, never again
    assert len(dms(bot, HOST, "starts today")) == 1


async def test_a_saturday_start_welcomes_each_person_on_monday_at_nine_local(
    bot: Harness,
) -> None:
    thread = await spread_out(bot, SATURDAY_START)

    assert await due_times(bot, NudgeKind.START_WELCOME) == {
        HOST: [at(2, 7, 23)],  # Monday 09:00 in Brisbane: still Sunday in UTC
        EMPLOYEE: [at(2, 8, 17)],
    }
    for weekend_nine in (
        at(2, 5, 23),  # Saturday 09:00 in Brisbane
        at(2, 6, 9),  # Saturday 09:00 in London
        at(2, 6, 17),  # Saturday 09:00 in Los Angeles
        at(2, 6, 23),  # Sunday 09:00 in Brisbane
        at(2, 7, 9),  # Sunday 09:00 in London
        at(2, 7, 22, 59),  # Monday 08:59 in Brisbane
    ):
        assert await bot.sweep(weekend_nine) == 0, weekend_nine
    assert await bot.sweep(at(2, 7, 23)) == 1
    assert len(dms(bot, HOST, "starts today")) == 1
    assert await bot.sweep(at(2, 8, 9)) == 1
    assert len(dms(bot, HOME, "coverage plan")) == 1
    assert await bot.sweep(at(2, 8, 16, 59)) == 0
    assert await bot.sweep(at(2, 8, 17)) == 4  # with the start's note and re-drawn parent
    assert len(dms(bot, EMPLOYEE, "starts today")) == 1
    assert (await bot.secondment(thread.secondment_id)).status == "active"


# --- check-ins ----------------------------------------------------------------------------------


async def test_a_saturday_check_in_is_asked_on_monday_at_nine_in_los_angeles(
    bot: Harness,
) -> None:
    await spread_out(bot, SATURDAY_START)
    assert await bot.sweep(at(2, 8, 17)) == 6  # the start on Monday 8 February, its note and parent

    # Two weeks after a Saturday start is Saturday 20 February: asked on Monday the 22nd, and
    # reminded on the next working day, Tuesday.
    assert await due_times(bot, NudgeKind.CHECK_IN, sequence=1) == {EMPLOYEE: [at(2, 22, 17)]}
    assert await due_times(bot, NudgeKind.CHECK_IN_REMINDER, sequence=1) == {
        EMPLOYEE: [at(2, 23, 17)]
    }
    for weekend in (at(2, 20, 17), at(2, 21, 17), at(2, 22, 16, 59)):
        assert await bot.sweep(weekend) == 0, weekend
    assert await bot.sweep(at(2, 22, 17)) == 1
    (asked,) = dms(bot, EMPLOYEE, "check-in 1")
    assert "A reminder" not in asked.text
    assert await bot.sweep(at(2, 23, 16, 59)) == 0
    assert await bot.sweep(at(2, 23, 17)) == 1
    assert "A reminder" in dms(bot, EMPLOYEE, "check-in 1")[-1].text


async def test_check_ins_stay_at_nine_in_los_angeles_across_the_spring_clock_change(
    bot: Harness,
) -> None:
    await spread_out(bot, MONDAY_START)
    assert (
        await bot.sweep(at(2, 1, 17)) == 6
    )  # the activation, its note and parent, two welcomes, the notice

    # Every other Monday at 09:00 in Los Angeles: 17:00 UTC in PST, 16:00 UTC once the clocks
    # go forward on Sunday 14 March 2027.
    assert await due_times(bot, NudgeKind.CHECK_IN) == {
        EMPLOYEE: [
            at(2, 15, 17),
            at(3, 1, 17),
            at(3, 15, 16),
            at(3, 29, 16),
            at(4, 12, 16),
            at(4, 26, 16),
            at(5, 10, 16),
            at(5, 24, 16),
            at(6, 7, 16),
            at(6, 21, 16),
            at(7, 5, 16),
            at(7, 19, 16),
        ]
    }
    reminders = await due_times(bot, NudgeKind.CHECK_IN_REMINDER)
    assert reminders[EMPLOYEE][1:3] == [at(3, 2, 17), at(3, 16, 16)]

    # Swept late: check-in 1 alone; its reminder would come with check-in 2, so it is
    # skipped, and its missed mark waits two working days from the question.
    assert await bot.sweep(at(2, 28, 12)) == 1
    assert await bot.sweep(at(3, 1, 16, 59)) == 0
    assert await bot.sweep(at(3, 1, 17)) == 1
    assert len(dms(bot, EMPLOYEE, "check-in 2")) == 1
    assert len(dms(bot, EMPLOYEE, "check-in 1")) == 1
    assert await bot.sweep(at(3, 3, 17)) == 3  # its reminder and missed mark; check-in 1's mark

    assert await bot.sweep(at(3, 15, 15, 59)) == 0  # Monday 08:59 PDT
    assert not dms(bot, EMPLOYEE, "check-in 3")
    assert await bot.sweep(at(3, 15, 16)) == 1  # Monday 09:00 PDT
    (asked,) = dms(bot, EMPLOYEE, "check-in 3")
    assert "A reminder" not in asked.text
    assert await bot.sweep(at(3, 16, 15, 59)) == 0
    assert await bot.sweep(at(3, 16, 16)) == 1
    assert "A reminder" in dms(bot, EMPLOYEE, "check-in 3")[-1].text


# --- the end and after --------------------------------------------------------------------------


@pytest.mark.settings(hr_users=HR)
async def test_a_saturday_end_date_asks_for_the_debrief_on_monday_at_nine_local(
    bot: Harness,
) -> None:
    bot.slack.add_user(HR)
    await spread_out(bot, MONDAY_START, end=date(2027, 4, 24))  # ends on a Saturday
    await bot.sweep(at(2, 1, 17))  # the start

    # Monday 26 April: 09:00 BST in London is 08:00 UTC, 09:00 PDT in Los Angeles 16:00 UTC.
    # HR hears it on the employee's clock.
    assert await due_times(bot, NudgeKind.DEBRIEF_REQUEST) == {
        HOME: [at(4, 26, 8)],
        EMPLOYEE: [at(4, 26, 16)],
    }
    assert await due_times(bot, NudgeKind.DEBRIEF_HR_NOTICE) == {None: [at(4, 26, 16)]}

    await bot.sweep(at(4, 23, 18))  # everything before the end date
    for weekend in (
        at(4, 24, 8),  # Saturday 09:00 in London
        at(4, 24, 16),  # Saturday 09:00 in Los Angeles
        at(4, 25, 8),
        at(4, 25, 16),
        at(4, 26, 7, 59),
    ):
        assert await bot.sweep(weekend) == 0, weekend
    assert not dms(bot, HOME, "return debrief")

    assert await bot.sweep(at(4, 26, 8)) == 1
    assert len(dms(bot, HOME, "please hold the return debrief")) == 1
    assert not dms(bot, EMPLOYEE, "return debrief")
    assert await bot.sweep(at(4, 26, 15, 59)) == 0
    assert await bot.sweep(at(4, 26, 16)) == 2
    assert len(dms(bot, EMPLOYEE, "please hold the return debrief")) == 1
    assert len(dms(bot, HR, "return debrief is due")) == 1
    assert len(dms(bot, HOME, "please hold the return debrief")) == 1
    assert not dms(bot, HOST, "return debrief")


async def test_the_follow_up_comes_thirty_days_after_the_end_on_a_monday_in_los_angeles(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread = await spread_out(bot, MONDAY_START, end=date(2027, 4, 30))  # a Friday
    await bot.sweep(at(2, 1, 17))
    await bot.sweep(at(4, 30, 8))  # everything up to the home manager's debrief request
    assert await bot.sweep(at(4, 30, 15, 59)) == 0
    assert await bot.sweep(at(4, 30, 16)) == 1  # the employee's, at 09:00 PDT
    clock.move_to(at(4, 30, 17))
    await click_then_submit(
        bot,
        EMPLOYEE,
        Action.RECORD_DEBRIEF,
        request_ref(thread),
        thread,
        Callback.DEBRIEF,
        forms.debrief_values(),
    )
    await bot.slack.wait_for("chat.update", where=lambda c: "Completed" in c.blocks_text)

    # 30 days after Friday 30 April is Sunday 30 May: the follow-up waits for Monday, 09:00 PDT.
    assert await due_times(bot, NudgeKind.FOLLOW_UP) == {EMPLOYEE: [at(5, 31, 16)]}
    assert await bot.sweep(at(5, 30, 16)) == 0  # Sunday 09:00 in Los Angeles
    assert await bot.sweep(at(5, 31, 8)) == 0  # Monday 09:00 in London: not the employee's
    assert await bot.sweep(at(5, 31, 15, 59)) == 0
    assert await bot.sweep(at(5, 31, 16)) == 1
    assert len(dms(bot, EMPLOYEE, "How is the return going?")) == 1


def check_ins(bot: Harness) -> list[str]:
    return [c.text for c in dms(bot, EMPLOYEE, "secondment with")]


@pytest.mark.parametrize(
    ("tz", "nine_on_15_march"),
    [
        ("Europe/London", at(3, 15, 9)),
        ("Australia/Brisbane", at(3, 14, 23)),  # Monday 09:00 there is Sunday 23:00 UTC
        ("America/Los_Angeles", at(3, 15, 16)),
    ],
)
async def test_after_downtime_only_the_latest_check_in_is_asked_wherever_the_employee_is(
    bot: Harness, tz: str, nine_on_15_march: datetime
) -> None:
    bot.slack.add_user(EMPLOYEE, tz=tz)
    await approved(bot, MONDAY_START, END)
    await bot.sweep(at(2, 1, 17))  # the start, everywhere

    # Nothing swept until check-in 3 is due: 09:00 on Monday 15 March where the employee is.
    await bot.sweep(nine_on_15_march)

    asked = check_ins(bot)
    assert asked and all("check-in 3" in text for text in asked), asked


async def test_a_check_in_is_not_dropped_before_the_next_one_is_due_where_the_employee_is(
    bot: Harness,
) -> None:
    bot.slack.add_user(EMPLOYEE, tz="America/Los_Angeles")
    await approved(bot, MONDAY_START, END)
    await bot.sweep(at(2, 1, 17))

    # Sunday 28 February 17:00 in Los Angeles (already 1 March in UTC): check-in 2 is due only
    # on Monday, so check-in 1, not swept until now, is still asked.
    await bot.sweep(at(3, 1, 1))

    assert [("check-in 1" in text) for text in check_ins(bot)] == [True]
    # Its reminder would come on Monday, with check-in 2: only check-in 2 is asked then.
    await bot.sweep(at(3, 1, 17))
    assert [("check-in 2" in text) for text in check_ins(bot)] == [False, True]
