"""Public holidays (HOLIDAYS): with a calendar named, its days are not working days, so no nudge
or reminder falls due on one and "after N working days" counts past them. Every date is written
out by hand from the published calendars, never worked out with the library under test."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot.domain.calendar import working_day_start, working_days_later
from bot.domain.holidays import PublicHolidays, calendar_problem
from bot.domain.kinds import NudgeKind
from bot.domain.policy import Policy
from bot.domain.reminders import DecisionWait, plan_decision_nudges
from bot.domain.states import Side, Status

LONDON = "Europe/London"
ENGLAND = replace(Policy(), holidays=PublicHolidays("GB-ENG"))
BAVARIA = replace(Policy(), holidays=PublicHolidays("DE-BY"))


def utc(year: int, month: int, day: int, hour: int) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(
    ("policy", "start", "days", "due"),
    [
        # Thu 24 Dec 2026: Christmas is a Friday, Boxing Day a Saturday, so its substitute is
        # Mon 28 Dec; the first working day after is Tue 29 Dec.
        (ENGLAND, utc(2026, 12, 24, 10), 1, utc(2026, 12, 29, 9)),
        (Policy(), utc(2026, 12, 24, 10), 1, utc(2026, 12, 25, 9)),
        # Three working days from Thu 25 Mar 2027 in England: Good Friday 26 Mar and Easter
        # Monday 29 Mar are off, so Tue 30, Wed 31, Thu 1 Apr.
        (ENGLAND, utc(2027, 3, 25, 10), 3, utc(2027, 4, 1, 8)),
        (Policy(), utc(2027, 3, 25, 10), 3, utc(2027, 3, 30, 8)),
    ],
)
def test_working_days_are_counted_past_public_holidays(
    policy: Policy, start: datetime, days: int, due: datetime
) -> None:
    # 09:00 in London: GMT in winter (09:00 UTC), BST from 28 Mar 2027 (08:00 UTC).
    assert working_days_later(start, days, LONDON, policy) == due


@pytest.mark.parametrize(
    ("policy", "day", "due"),
    [
        (ENGLAND, date(2026, 12, 25), utc(2026, 12, 29, 9)),  # Christmas, a weekend, Boxing Day
        (ENGLAND, date(2027, 3, 29), utc(2027, 3, 30, 8)),  # Easter Monday
        (ENGLAND, date(2027, 1, 6), utc(2027, 1, 6, 9)),  # Epiphany: not a holiday in England
        (BAVARIA, date(2027, 1, 6), utc(2027, 1, 7, 8)),  # ... but in Bavaria (CET, 09:00)
        (Policy(), date(2026, 12, 25), utc(2026, 12, 25, 9)),  # no calendar: a Friday like any
    ],
)
def test_nothing_is_due_on_a_public_holiday(policy: Policy, day: date, due: datetime) -> None:
    tz = "Europe/Berlin" if policy is BAVARIA else LONDON
    assert working_day_start(day, tz, policy) == due


def test_a_calendar_holds_its_holidays_and_none_holds_nothing() -> None:
    assert date(2027, 3, 29) in ENGLAND.holidays  # Easter Monday
    assert date(2027, 3, 30) not in ENGLAND.holidays
    assert date(2026, 12, 25) not in PublicHolidays()
    assert "2026-12-25" not in ENGLAND.holidays  # only dates are days


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("GB-ENG", None),
        ("US-CA", None),
        ("DE-BY", None),
        ("DE", None),
        ("XX", "'XX' is not a country code the holidays library knows"),
        ("GB-XYZ", "'XYZ' is not a region of GB (for example GB-ENG, GB-NIR, GB-SCT, GB-WLS)"),
    ],
)
def test_a_calendar_is_named_as_the_library_names_it(code: str, problem: str | None) -> None:
    assert calendar_problem(code) == problem


def test_a_request_waiting_over_christmas_is_reminded_after_the_holidays() -> None:
    # Asked on Tue 22 Dec 2026 in London. Working days after it: Wed 23, Thu 24, then Christmas,
    # a weekend and the Boxing Day substitute, then Tue 29 (3rd), Wed 30, Thu 31 Dec; Fri 1 Jan
    # is New Year's Day; Mon 4 Jan (6th), Tue 5 Jan (7th).
    waiting = DecisionWait(Status.PENDING, utc(2026, 12, 22, 10), "U0EMP", {Side.HOME: "U0HOME"})
    tz_of = {"U0EMP": LONDON, "U0HOME": LONDON}

    planned = plan_decision_nudges(waiting, tz_of, ENGLAND)

    assert [(p.kind, p.sequence, p.due_at) for p in planned] == [
        (NudgeKind.DECISION_REMINDER, 1, utc(2026, 12, 29, 9)),  # 3rd working day
        (NudgeKind.DECISION_REMINDER, 2, utc(2027, 1, 4, 9)),  # 6th
        (NudgeKind.DECISION_ESCALATION, 1, utc(2027, 1, 5, 9)),  # 7th
    ]
