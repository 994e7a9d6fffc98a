"""The decision reminders' chain after downtime or a clock jump (bot/domain/reminder_catch_up.py),
for a round started on Monday 1 February 2027 at 09:00 UTC under the default policy: reminders
after 3 and 6 working days (Thursday 4 and Tuesday 9 February), HR's escalation after 7
(Wednesday 10 February). The bot comes back 1 hour, 1 day or 3 weeks after a step's time.

Every expected time is written out by hand, so a wrong count of working days shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.catch_up import Send, Wait
from bot.domain.kinds import NudgeKind as K
from bot.domain.policy import Policy
from bot.domain.reminder_catch_up import Step, chain_verdict, planned_days
from bot.domain.reminders import DecisionWait, plan_decision_nudges
from bot.domain.states import Side, Status

POLICY = Policy()
ROUND_START = datetime(2027, 2, 1, 9, tzinfo=UTC)
REMINDER_1 = datetime(2027, 2, 4, 9, tzinfo=UTC)
REMINDER_2 = datetime(2027, 2, 9, 9, tzinfo=UTC)
ESCALATION = datetime(2027, 2, 10, 9, tzinfo=UTC)
HOUR, DAY, WEEKS_3 = timedelta(hours=1), timedelta(days=1), timedelta(weeks=3)


def utc(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2027, month, day, hour, tzinfo=UTC)


def first(sent_at: datetime | None, may_still_go: bool = False) -> Step:
    return Step(3, REMINDER_1, sent_at, may_still_go)


def second(sent_at: datetime | None, may_still_go: bool = False) -> Step:
    return Step(6, REMINDER_2, sent_at, may_still_go)


def second_reminder(before: list[Step], now: datetime) -> Send | Wait:
    return chain_verdict(6, before, now, None, POLICY)


def escalation(before: list[Step], now: datetime) -> Send | Wait:
    return chain_verdict(7, before, now, None, POLICY)


def test_the_plan_puts_each_step_where_the_planner_does() -> None:
    wait = DecisionWait(Status.PENDING, ROUND_START, "U_EMP", {Side.HOME: "U_HOME"})
    planned = {(n.kind, n.sequence): n.due_at for n in plan_decision_nudges(wait, {}, POLICY)}
    assert planned == {
        (K.DECISION_REMINDER, 1): REMINDER_1,
        (K.DECISION_REMINDER, 2): REMINDER_2,
        (K.DECISION_ESCALATION, 1): ESCALATION,
    }
    assert [planned_days(kind, seq, POLICY) for kind, seq in sorted(planned)] == [7, 3, 6]


def test_while_the_bot_runs_every_step_goes_as_planned() -> None:
    # Each step went out half a minute after its time, as a sweep sends it.
    on_time = timedelta(seconds=30)
    assert second_reminder([first(REMINDER_1 + on_time)], REMINDER_2) == Send()
    assert (
        escalation([first(REMINDER_1 + on_time), second(REMINDER_2 + on_time)], ESCALATION)
        == Send()
    )


def test_an_hour_late_is_still_on_time() -> None:
    assert second_reminder([first(REMINDER_1 + HOUR)], REMINDER_2) == Send()


def test_a_day_late_moves_the_rest_of_the_chain_by_a_day() -> None:
    # The first reminder went out on Friday 5 February instead of Thursday 4.
    late = [first(REMINDER_1 + DAY)]
    assert second_reminder(late, REMINDER_2) == Wait(utc(2, 10))
    assert second_reminder(late, utc(2, 10)) == Send()
    # HR hears of it a working day after the second reminder really went out.
    assert escalation([*late, second(utc(2, 10))], utc(2, 10, 10)) == Wait(utc(2, 11))
    assert escalation([*late, second(utc(2, 10))], utc(2, 11)) == Send()


def test_back_after_three_weeks_the_chain_starts_again_from_that_day() -> None:
    # Down from before the first reminder's time until Thursday 25 February: all three are due.
    back = REMINDER_1 + WEEKS_3
    assert back == utc(2, 25)
    on_its_way = [first(None, may_still_go=True)]
    # The first reminder goes now (nothing comes before it); the second waits three working
    # days after it, and HR four, so the manager is reminded before HR is told.
    assert chain_verdict(3, [], back, None, POLICY) == Send()
    assert second_reminder(on_its_way, back) == Wait(utc(3, 2))
    assert escalation([*on_its_way, second(None, may_still_go=True)], back) == Wait(utc(3, 3))
    # The first went out on the 25th: the second goes on Tuesday 2 March, HR the next day.
    sent = [first(back)]
    assert second_reminder(sent, utc(3, 1)) == Wait(utc(3, 2))
    assert second_reminder(sent, utc(3, 2)) == Send()
    assert escalation([*sent, second(None, may_still_go=True)], utc(3, 2)) == Wait(utc(3, 3))
    assert escalation([*sent, second(utc(3, 2))], utc(3, 3)) == Send()


@pytest.mark.parametrize("late", [HOUR, DAY, WEEKS_3])
def test_a_step_that_will_never_go_holds_nothing_back(late: timedelta) -> None:
    # Given up (the manager cannot be reached) or replaced (a delegate decides now).
    assert second_reminder([first(None, may_still_go=False)], REMINDER_2 + late) == Send()
    assert (
        escalation(
            [first(None, may_still_go=False), second(None, may_still_go=False)], ESCALATION + late
        )
        == Send()
    )


def test_hr_waits_for_the_slowest_of_the_deciders_reminders() -> None:
    # The home manager's second reminder went out on time; the host's was held up until
    # Monday 15 February (a delegate took the side over late).
    home = second(REMINDER_2)
    host = Step(6, REMINDER_2, utc(2, 15, 11), may_still_go=False)
    assert escalation([home, host], ESCALATION) == Wait(utc(2, 16))
    assert escalation([home, host], utc(2, 16)) == Send()


def test_a_step_on_its_way_on_time_holds_nothing_back() -> None:
    # A delegate's reminders, planned on Monday 8 February from the round's start: both are
    # overdue, and both are on time (their time is when they were planned).
    delegated = datetime(2027, 2, 8, 10, tzinfo=UTC)
    first_to_delegate = Step(3, delegated, None, may_still_go=True)
    assert second_reminder([first_to_delegate], delegated) == Send()
    # Sent at once, on time: HR's escalation keeps its day.
    sent = [Step(3, delegated, delegated, False), Step(6, delegated, delegated, False)]
    assert escalation(sent, ESCALATION) == Send()
