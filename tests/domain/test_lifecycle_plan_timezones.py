"""When the nudges of a secondment under way are due (bot.domain.underway_plan), in each recipient's
own timezone: the start, the check-ins and their reminders, the debrief request and the follow-up.

The employee is in Los Angeles (UTC-8; UTC-7 from Sunday 14 March to Sunday 7 November 2027),
the host manager in Brisbane (UTC+10, no daylight saving) and the home manager in London (GMT;
BST from Sunday 28 March 2027). Every expected time is written out by hand as UTC, so a wrong
weekend, hour, offset or clock shows up as a different datetime.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.kinds import FOLLOW_UP_SEQUENCE, NudgeKind
from bot.domain.policy import Policy
from bot.domain.states import Status
from bot.domain.underway_plan import CheckInState, Underway, plan_underway_nudges

LOS_ANGELES = "America/Los_Angeles"
BRISBANE = "Australia/Brisbane"
LONDON = "Europe/London"
EMPLOYEE, HOME, HOST = "UEMP", "UHOME", "UHOST"
TZ_OF: dict[str, str | None] = {EMPLOYEE: LOS_ANGELES, HOME: LONDON, HOST: BRISBANE}
POLICY = Policy()
K = NudgeKind


def utc(month: int, day: int, hour: int) -> datetime:
    return datetime(2027, month, day, hour, tzinfo=UTC)


def secondment(
    start: date,
    end: date = date(2027, 7, 30),
    *,
    status: Status = Status.ACTIVE,
    weeks: int = 2,
    check_ins: dict[int, CheckInState] | None = None,
) -> Underway:
    return Underway(status, start, end, EMPLOYEE, HOME, HOST, weeks, check_ins or {})


def plan(
    underway: Underway,
    kinds: Iterable[NudgeKind],
    tz_of: dict[str, str | None] = TZ_OF,
    policy: Policy = POLICY,
) -> list[tuple[NudgeKind, int, str | None, datetime]]:
    """The planned nudges of these kinds, as (kind, sequence, recipient, due), soonest first."""
    wanted = set(kinds)
    return sorted(
        (
            (p.kind, p.sequence, p.recipient_id, p.due_at)
            for p in plan_underway_nudges(underway, tz_of, policy)
            if p.kind in wanted
        ),
        key=lambda p: (p[3], p[0], p[2] or ""),
    )


def check_ins_of(underway: Underway) -> list[datetime]:
    return [due for *_, due in plan(underway, [K.CHECK_IN])]


def first_check_in(
    underway: Underway, tz_of: dict[str, str | None] = TZ_OF
) -> list[tuple[datetime, NudgeKind]]:
    """Check-in 1 and what follows it if unanswered, as (due, kind) in the order they go out."""
    kinds = [K.CHECK_IN, K.CHECK_IN_REMINDER, K.CHECK_IN_SNOOZED, K.CHECK_IN_MISSED]
    planned = plan(underway, kinds, tz_of)
    return sorted((due, kind) for kind, sequence, _, due in planned if sequence == 1)


START_KINDS = (K.SECONDMENT_START, K.START_WELCOME, K.COVERAGE_NOTICE)


# --- the start ----------------------------------------------------------------------------------


def test_the_start_is_at_nine_where_each_person_is_and_the_secondment_on_the_employees() -> None:
    planned = plan(secondment(date(2027, 2, 1), status=Status.APPROVED), START_KINDS)

    assert planned == [
        (K.START_WELCOME, 1, HOST, utc(1, 31, 23)),  # Mon 09:00 AEST: Sunday in UTC
        (K.COVERAGE_NOTICE, 1, HOME, utc(2, 1, 9)),  # Mon 09:00 GMT
        (K.SECONDMENT_START, 1, None, utc(2, 1, 17)),  # Mon 09:00 PST, the employee's
        (K.START_WELCOME, 1, EMPLOYEE, utc(2, 1, 17)),
    ]


def test_once_active_the_start_messages_keep_their_local_times_without_the_activation() -> None:
    # Activated at 09:00 in Los Angeles, the plan must not move the welcomes (a moved due time
    # would be re-planned), even though Brisbane's went out the evening before in UTC.
    planned = plan(secondment(date(2027, 2, 1), status=Status.ACTIVE), START_KINDS)

    assert planned == [
        (K.START_WELCOME, 1, HOST, utc(1, 31, 23)),
        (K.COVERAGE_NOTICE, 1, HOME, utc(2, 1, 9)),
        (K.START_WELCOME, 1, EMPLOYEE, utc(2, 1, 17)),
    ]


@pytest.mark.parametrize("start", [date(2027, 2, 6), date(2027, 2, 7)], ids=["saturday", "sunday"])
def test_a_weekend_start_moves_to_monday_in_each_persons_own_calendar(start: date) -> None:
    planned = plan(secondment(start, status=Status.APPROVED), START_KINDS)

    assert planned == [
        (K.START_WELCOME, 1, HOST, utc(2, 7, 23)),  # Monday 8th in Brisbane: Sunday in UTC
        (K.COVERAGE_NOTICE, 1, HOME, utc(2, 8, 9)),
        (K.SECONDMENT_START, 1, None, utc(2, 8, 17)),
        (K.START_WELCOME, 1, EMPLOYEE, utc(2, 8, 17)),
    ]
    for _, _, recipient, due in planned:
        wall_clock = due.astimezone(ZoneInfo(TZ_OF[recipient or EMPLOYEE] or "UTC"))
        assert wall_clock.strftime("%a %d %H:%M") == "Mon 08 09:00", (recipient, wall_clock)


@pytest.mark.parametrize(
    ("start", "host_due", "employee_due"),
    [
        # The Monday before Los Angeles changes its clocks (PST), and the Monday after (PDT);
        # Brisbane's 09:00 stays at 23:00 UTC the evening before.
        (date(2027, 3, 8), utc(3, 7, 23), utc(3, 8, 17)),
        (date(2027, 3, 15), utc(3, 14, 23), utc(3, 15, 16)),
    ],
    ids=["before", "after"],
)
def test_los_angeles_changing_its_clocks_moves_only_the_employees_nine_oclock(
    start: date, host_due: datetime, employee_due: datetime
) -> None:
    planned = plan(secondment(start, status=Status.APPROVED), [K.START_WELCOME])

    assert planned == [
        (K.START_WELCOME, 1, HOST, host_due),
        (K.START_WELCOME, 1, EMPLOYEE, employee_due),
    ]


# --- check-ins ----------------------------------------------------------------------------------


def test_check_ins_follow_los_angeles_into_summer_time() -> None:
    assert check_ins_of(secondment(date(2027, 2, 1), date(2027, 4, 30))) == [
        utc(2, 15, 17),  # PST
        utc(3, 1, 17),
        utc(3, 15, 16),  # PDT from Sunday 14 March
        utc(3, 29, 16),
        utc(4, 12, 16),
        utc(4, 26, 16),
    ]


def test_check_ins_follow_los_angeles_back_to_standard_time() -> None:
    underway = secondment(date(2027, 10, 4), date(2027, 12, 17))

    assert check_ins_of(underway) == [
        utc(10, 18, 16),  # PDT
        utc(11, 1, 16),  # still PDT: the clocks go back on Sunday 7 November
        utc(11, 15, 17),  # PST
        utc(11, 29, 17),
        utc(12, 13, 17),
    ]


def test_a_check_in_on_a_weekend_is_asked_on_monday_and_reminded_on_tuesday() -> None:
    underway = secondment(date(2027, 2, 6))  # a Saturday: check-ins fall on Saturdays

    assert first_check_in(underway) == [
        (utc(2, 22, 17), K.CHECK_IN),  # Monday 22 February, 09:00 PST
        (utc(2, 23, 17), K.CHECK_IN_REMINDER),  # Tuesday
        (utc(2, 24, 17), K.CHECK_IN_MISSED),  # Wednesday
    ]


def test_a_friday_check_in_is_reminded_on_monday_after_the_clocks_go_forward() -> None:
    underway = secondment(date(2027, 2, 26))  # a Friday: check-in 1 on Friday 12 March

    assert first_check_in(underway) == [
        (utc(3, 12, 17), K.CHECK_IN),  # Friday 09:00 PST
        (utc(3, 15, 16), K.CHECK_IN_REMINDER),  # Monday 09:00 PDT, after the weekend
        (utc(3, 16, 16), K.CHECK_IN_MISSED),  # Tuesday 09:00 PDT
    ]


def test_a_snooze_into_friday_moves_the_missed_mark_over_the_weekend() -> None:
    # Asked on Wednesday 17 February, reminded on Thursday, and "Remind me tomorrow" clicked
    # then: one more reminder on Friday 09:00 PST.
    snoozed = CheckInState(snoozed_until=utc(2, 19, 17))
    underway = secondment(date(2027, 2, 3), check_ins={1: snoozed})

    assert first_check_in(underway) == [
        (utc(2, 17, 17), K.CHECK_IN),
        (utc(2, 18, 17), K.CHECK_IN_REMINDER),
        (utc(2, 19, 17), K.CHECK_IN_SNOOZED),
        (utc(2, 22, 17), K.CHECK_IN_MISSED),  # Monday, not Saturday
    ]


def test_check_ins_in_brisbane_are_asked_and_reminded_the_evening_before_in_utc() -> None:
    tz_of = {**TZ_OF, EMPLOYEE: BRISBANE}
    underway = secondment(date(2027, 2, 1), date(2027, 4, 30))

    planned = plan(underway, [K.CHECK_IN], tz_of)

    # 09:00 AEST on every other Monday, the same all year: Sunday 23:00 UTC.
    assert [due for *_, due in planned] == [
        utc(2, 14, 23),
        utc(2, 28, 23),
        utc(3, 14, 23),
        utc(3, 28, 23),
        utc(4, 11, 23),
        utc(4, 25, 23),
    ]
    # The next working day counts from Brisbane's Monday, not from Sunday in UTC.
    assert first_check_in(underway, tz_of) == [
        (utc(2, 14, 23), K.CHECK_IN),  # Monday 15 February, 09:00 AEST
        (utc(2, 15, 23), K.CHECK_IN_REMINDER),  # Tuesday
        (utc(2, 16, 23), K.CHECK_IN_MISSED),  # Wednesday
    ]


# --- the end and after --------------------------------------------------------------------------


def test_a_saturday_end_date_asks_for_the_debrief_on_monday_where_each_person_is() -> None:
    underway = secondment(date(2027, 2, 1), date(2027, 4, 24))  # ends on a Saturday

    planned = plan(underway, [K.DEBRIEF_REQUEST, K.DEBRIEF_HR_NOTICE])

    assert planned == [
        (K.DEBRIEF_REQUEST, 1, HOME, utc(4, 26, 8)),  # Monday 09:00 BST
        (K.DEBRIEF_HR_NOTICE, 1, None, utc(4, 26, 16)),  # on the employee's clock
        (K.DEBRIEF_REQUEST, 1, EMPLOYEE, utc(4, 26, 16)),  # Monday 09:00 PDT
    ]


@pytest.mark.parametrize(
    ("tz", "due"),
    [
        (LOS_ANGELES, utc(5, 31, 16)),  # Monday 31 May 09:00 PDT
        (BRISBANE, utc(5, 30, 23)),  # Monday 31 May 09:00 AEST: Sunday in UTC
        (LONDON, utc(5, 31, 8)),  # Monday 31 May 09:00 BST
        (None, utc(5, 31, 9)),  # no timezone known: UTC
    ],
    ids=["los-angeles", "brisbane", "london", "unknown"],
)
def test_the_follow_up_is_thirty_days_after_the_end_on_the_next_working_day(
    tz: str | None, due: datetime
) -> None:
    # 30 days after Friday 30 April 2027 is Sunday 30 May.
    underway = secondment(date(2027, 2, 1), date(2027, 4, 30), status=Status.COMPLETED)

    planned = plan(underway, [K.FOLLOW_UP], {**TZ_OF, EMPLOYEE: tz})

    assert planned == [(K.FOLLOW_UP, FOLLOW_UP_SEQUENCE, EMPLOYEE, due)]
