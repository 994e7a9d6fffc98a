"""When a nudge is due: working days counted in the recipient's own calendar, due at the start of
their working day, and the reminders and escalation a request waiting for decisions should have.

Every expected time is written out by hand (never recomputed with the code under test), so a
wrong weekend, hour or timezone shows up as a different datetime.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.calendar import working_days_later
from bot.domain.kinds import NudgeKind
from bot.domain.policy import Policy
from bot.domain.reminders import DecisionWait, PlannedNudge, plan_decision_nudges
from bot.domain.states import Side, Status

POLICY = Policy()
MONDAY = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
FRIDAY_AFTERNOON = datetime(2027, 1, 8, 15, 30, tzinfo=UTC)
SATURDAY = datetime(2027, 1, 9, 11, 0, tzinfo=UTC)
LOS_ANGELES = "America/Los_Angeles"
BRISBANE = "Australia/Brisbane"
LONDON = "Europe/London"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- working_days_later -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (MONDAY, 1, utc(2027, 1, 5, 9)),
        (MONDAY, 3, utc(2027, 1, 7, 9)),  # Thursday
        (MONDAY, 5, utc(2027, 1, 11, 9)),  # the next Monday: the weekend does not count
        (FRIDAY_AFTERNOON, 1, utc(2027, 1, 11, 9)),  # Monday, not Saturday
        (FRIDAY_AFTERNOON, 3, utc(2027, 1, 13, 9)),  # Wednesday
        (SATURDAY, 1, utc(2027, 1, 11, 9)),  # Sunday is skipped too
        (SATURDAY, 3, utc(2027, 1, 13, 9)),
        (SATURDAY, 7, utc(2027, 1, 19, 9)),
    ],
    ids=[
        "monday+1",
        "monday+3",
        "monday+5",
        "friday+1",
        "friday+3",
        "saturday+1",
        "saturday+3",
        "saturday+7",
    ],
)
def test_working_days_skip_the_weekend(start: datetime, days: int, due: datetime) -> None:
    assert working_days_later(start, days, None, POLICY) == due


def test_every_due_time_is_a_weekday_at_the_start_of_the_working_day() -> None:
    for days in range(1, 30):
        due = working_days_later(FRIDAY_AFTERNOON, days, LONDON, POLICY)
        local = due.astimezone(ZoneInfo(LONDON))
        assert local.weekday() < 5, (days, local)
        assert (local.hour, local.minute) == (9, 0), (days, local)


def test_due_time_is_the_policy_start_hour_local_time_as_utc() -> None:
    due = working_days_later(MONDAY, 3, None, Policy(workday_start_hour=8))

    assert due == utc(2027, 1, 7, 8)
    assert due.tzinfo is UTC


def test_start_hour_is_local_so_its_utc_time_moves_with_the_offset() -> None:
    # Brisbane is UTC+10 all year: 07:30 local is 21:30 UTC the evening before.
    due = working_days_later(MONDAY, 3, BRISBANE, Policy(workday_start_hour=7))

    assert due == utc(2027, 1, 6, 21)
    assert due.astimezone(ZoneInfo(BRISBANE)).date().isoformat() == "2027-01-07"


def test_recipients_far_apart_count_from_their_own_date_and_start_hour() -> None:
    # Monday 20:00 UTC is Monday noon in Los Angeles and already Tuesday 06:00 in Brisbane.
    start = utc(2027, 1, 4, 20)

    in_los_angeles = working_days_later(start, 3, LOS_ANGELES, POLICY)
    in_brisbane = working_days_later(start, 3, BRISBANE, POLICY)

    assert in_los_angeles == utc(2027, 1, 7, 17)  # Thursday 09:00 PST
    assert in_brisbane == utc(2027, 1, 7, 23)  # Friday 09:00 AEST
    assert in_los_angeles.astimezone(ZoneInfo(LOS_ANGELES)).strftime("%a %d %H:%M") == (
        "Thu 07 09:00"
    )
    assert in_brisbane.astimezone(ZoneInfo(BRISBANE)).strftime("%a %d %H:%M") == "Fri 08 09:00"


def test_a_local_weekend_is_skipped_even_when_it_is_a_weekday_in_utc() -> None:
    # Friday 15:00 UTC is already Saturday 01:00 in Brisbane: the wait starts on a weekend there.
    start = utc(2027, 1, 8, 15)

    assert working_days_later(start, 1, BRISBANE, POLICY) == utc(2027, 1, 10, 23)  # Mon 09:00
    assert working_days_later(start, 1, None, POLICY) == utc(2027, 1, 11, 9)


@pytest.mark.parametrize(
    ("start", "days", "tz", "due"),
    [
        # London moves to BST on Sunday 28 March 2027.
        (utc(2027, 3, 25, 10), 1, LONDON, utc(2027, 3, 26, 9)),  # Friday, still GMT
        (utc(2027, 3, 25, 10), 3, LONDON, utc(2027, 3, 30, 8)),  # Tuesday 09:00 BST
        # And back to GMT on Sunday 31 October 2027.
        (utc(2027, 10, 28, 10), 1, LONDON, utc(2027, 10, 29, 8)),  # Friday, still BST
        (utc(2027, 10, 28, 10), 3, LONDON, utc(2027, 11, 2, 9)),  # Tuesday 09:00 GMT
        # Los Angeles moves to PDT on Sunday 14 March 2027 ...
        (utc(2027, 3, 11, 18), 1, LOS_ANGELES, utc(2027, 3, 12, 17)),  # Friday 09:00 PST
        (utc(2027, 3, 11, 18), 3, LOS_ANGELES, utc(2027, 3, 16, 16)),  # Tuesday 09:00 PDT
        # ... and back to PST on Sunday 7 November 2027.
        (utc(2027, 11, 4, 18), 1, LOS_ANGELES, utc(2027, 11, 5, 16)),  # Friday 09:00 PDT
        (utc(2027, 11, 4, 18), 3, LOS_ANGELES, utc(2027, 11, 9, 17)),  # Tuesday 09:00 PST
    ],
    ids=[
        "london-before-spring",
        "london-after-spring",
        "london-before-autumn",
        "london-after-autumn",
        "la-before-spring",
        "la-after-spring",
        "la-before-autumn",
        "la-after-autumn",
    ],
)
def test_daylight_saving_change_keeps_nine_oclock_local(
    start: datetime, days: int, tz: str, due: datetime
) -> None:
    result = working_days_later(start, days, tz, POLICY)

    assert result == due
    local = result.astimezone(ZoneInfo(tz))
    assert (local.hour, local.minute) == (9, 0)


def test_custom_working_days_sunday_to_thursday() -> None:
    policy = Policy(working_days=frozenset({6, 0, 1, 2, 3}))  # Sunday to Thursday
    thursday = utc(2027, 1, 7, 10)

    assert working_days_later(thursday, 1, None, policy) == utc(2027, 1, 10, 9)  # Sunday
    assert working_days_later(thursday, 3, None, policy) == utc(2027, 1, 12, 9)  # Tuesday
    # Friday and Saturday are the weekend: a wait starting on either begins counting on Sunday.
    assert working_days_later(FRIDAY_AFTERNOON, 1, None, policy) == utc(2027, 1, 10, 9)
    assert working_days_later(SATURDAY, 5, None, policy) == utc(2027, 1, 14, 9)  # Thursday


def test_custom_working_days_in_a_timezone() -> None:
    policy = Policy(working_days=frozenset({6, 0, 1, 2, 3}))
    # Thursday 22:00 UTC is already Friday 01:00 in Riyadh (UTC+3): Friday does not count.
    start = utc(2027, 1, 7, 22)

    assert working_days_later(start, 1, "Asia/Riyadh", policy) == utc(2027, 1, 10, 6)


@pytest.mark.parametrize("tz", ["Mars/Olympus_Mons", "Not a zone", "../etc/passwd", "", None])
def test_unknown_or_missing_timezone_counts_in_utc(tz: str | None) -> None:
    assert working_days_later(FRIDAY_AFTERNOON, 3, tz, POLICY) == utc(2027, 1, 13, 9)


# --- plan_decision_nudges -----------------------------------------------------------------------

EMPLOYEE, HOME, HOST, DELEGATE = "UEMP", "UHOME", "UHOST", "UDEL"
TZ_OF: dict[str, str | None] = {
    EMPLOYEE: BRISBANE,
    HOME: LONDON,
    HOST: LOS_ANGELES,
    DELEGATE: None,
}


def wait(
    undecided: dict[Side, str], *, status: Status = Status.PENDING, started: datetime = MONDAY
) -> DecisionWait:
    return DecisionWait(status, started, EMPLOYEE, undecided)


def test_pending_request_plans_two_reminders_per_side_and_one_escalation() -> None:
    planned = plan_decision_nudges(wait({Side.HOME: HOME, Side.HOST: HOST}), TZ_OF, POLICY)

    reminder, escalation = NudgeKind.DECISION_REMINDER, NudgeKind.DECISION_ESCALATION
    assert sorted(planned, key=lambda p: (p.due_at, p.kind, str(p.side))) == [
        # London, GMT in January: the 3rd and 6th working day at 09:00.
        PlannedNudge(reminder, Side.HOME, 1, HOME, utc(2027, 1, 7, 9)),
        PlannedNudge(reminder, Side.HOST, 1, HOST, utc(2027, 1, 7, 17)),  # 09:00 PST
        PlannedNudge(reminder, Side.HOME, 2, HOME, utc(2027, 1, 12, 9)),
        PlannedNudge(reminder, Side.HOST, 2, HOST, utc(2027, 1, 12, 17)),
        # HR on the employee's clock: Brisbane, the 7th working day (Wednesday) at 09:00.
        PlannedNudge(escalation, None, 1, None, utc(2027, 1, 12, 23)),
    ]


def test_plan_keys_are_unique_and_name_kind_side_sequence_and_recipient() -> None:
    planned = plan_decision_nudges(wait({Side.HOME: HOME, Side.HOST: HOST}), TZ_OF, POLICY)

    keys = [p.key for p in planned]
    assert len(set(keys)) == len(keys) == 5
    assert (NudgeKind.DECISION_REMINDER, Side.HOST, 2, HOST) in keys
    assert (NudgeKind.DECISION_ESCALATION, None, 1, None) in keys


def test_reminder_intervals_follow_the_policy() -> None:
    policy = Policy(reminder_after_working_days=2, escalate_after_working_days=10)

    planned = plan_decision_nudges(wait({Side.HOME: HOME}), {}, policy)

    assert [(p.kind, p.sequence, p.due_at) for p in planned] == [
        (NudgeKind.DECISION_REMINDER, 1, utc(2027, 1, 6, 9)),
        (NudgeKind.DECISION_REMINDER, 2, utc(2027, 1, 8, 9)),
        (NudgeKind.DECISION_ESCALATION, 1, utc(2027, 1, 18, 9)),
    ]


def test_a_delegate_gets_the_reminders_on_their_own_clock() -> None:
    planned = plan_decision_nudges(wait({Side.HOME: DELEGATE, Side.HOST: HOST}), TZ_OF, POLICY)

    home = [p for p in planned if p.side is Side.HOME]
    assert [(p.recipient_id, p.sequence, p.due_at) for p in home] == [
        (DELEGATE, 1, utc(2027, 1, 7, 9)),  # the delegate has no timezone: UTC
        (DELEGATE, 2, utc(2027, 1, 12, 9)),
    ]
    assert all(p.recipient_id != HOME for p in planned)


@pytest.mark.parametrize(
    ("reminder", "escalate", "sequences"),
    [(3, 7, [1, 2]), (3, 6, [1]), (4, 7, [1]), (7, 7, []), (8, 7, [])],
    ids=["2N<M", "2N=M", "2N>M", "N=M", "N>M"],
)
def test_a_reminder_on_or_after_the_escalation_day_is_skipped(
    reminder: int, escalate: int, sequences: list[int]
) -> None:
    policy = Policy(reminder_after_working_days=reminder, escalate_after_working_days=escalate)

    planned = plan_decision_nudges(wait({Side.HOME: HOME, Side.HOST: HOST}), TZ_OF, policy)

    for side in Side:
        assert [p.sequence for p in planned if p.side is side] == sequences
    escalations = [p for p in planned if p.kind is NudgeKind.DECISION_ESCALATION]
    assert len(escalations) == 1
    assert escalations[0].recipient_id is None


@pytest.mark.parametrize("status", [Status.APPROVED, Status.BLOCKED, Status.WITHDRAWN])
def test_a_request_not_pending_plans_nothing(status: Status) -> None:
    undecided = {Side.HOME: HOME, Side.HOST: HOST}

    assert plan_decision_nudges(wait(undecided, status=status), TZ_OF, POLICY) == []


def test_a_side_that_decided_gets_no_reminders() -> None:
    planned = plan_decision_nudges(wait({Side.HOST: HOST}), TZ_OF, POLICY)

    assert [(p.kind, p.side, p.recipient_id) for p in planned] == [
        (NudgeKind.DECISION_REMINDER, Side.HOST, HOST),
        (NudgeKind.DECISION_REMINDER, Side.HOST, HOST),
        (NudgeKind.DECISION_ESCALATION, None, None),
    ]


def test_nobody_left_to_decide_plans_nothing() -> None:
    assert plan_decision_nudges(wait({}), TZ_OF, POLICY) == []


def test_a_new_round_counts_from_its_own_start() -> None:
    later = utc(2027, 1, 13, 14)  # a Wednesday

    planned = plan_decision_nudges(wait({Side.HOST: HOST}, started=later), {}, POLICY)

    assert [p.due_at for p in planned] == [
        utc(2027, 1, 18, 9),  # Monday, the 3rd working day
        utc(2027, 1, 21, 9),  # Thursday, the 6th
        utc(2027, 1, 22, 9),  # Friday, the 7th
    ]
