"""The check-in rules after downtime or a clock jump (bot/domain/catch_up.py), for a secondment
from Monday 1 February 2027, asked every 2 weeks, ending Friday 30 April: the bot comes back
1 hour, 1 day, 3 weeks, or past the end, after a nudge's planned time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.catch_up import (
    NEVER_ASKED,
    WINDOW_PASSED,
    Asked,
    CheckInTerms,
    Send,
    Skip,
    Wait,
    arrives_late,
    check_in_verdict,
    end_ask_current,
)
from bot.domain.kinds import NudgeKind as K
from bot.domain.policy import Policy

POLICY = Policy()
TERMS = CheckInTerms(date(2027, 2, 1), date(2027, 4, 30), check_in_weeks=2)
ASKED_1 = datetime(2027, 2, 15, 9, tzinfo=UTC)  # check-in 1, on time (a Monday, 09:00 UTC)
HOUR, DAY, WEEKS_3 = timedelta(hours=1), timedelta(days=1), timedelta(weeks=3)
AFTER_END = datetime(2027, 5, 3, 9, tzinfo=UTC)


def verdict(kind: K, asked: Asked, now: datetime, sequence: int = 1) -> object:
    return check_in_verdict(kind, sequence, asked, TERMS, now, None, POLICY)


SENT = Asked(ASKED_1, may_still_go=False)
ON_ITS_WAY = Asked(None, may_still_go=True)
NEVER = Asked(None, may_still_go=False)


@pytest.mark.parametrize(
    ("late", "expected"),
    [
        (HOUR, Send()),  # still the current check-in
        (DAY, Send()),
        (WEEKS_3, Skip(WINDOW_PASSED)),  # check-in 2 (1 March) is due instead
    ],
)
def test_a_question_goes_out_only_while_it_is_the_current_one(
    late: timedelta, expected: object
) -> None:
    assert verdict(K.CHECK_IN, ON_ITS_WAY, ASKED_1 + late) == expected


def test_no_question_after_the_end_date() -> None:
    # Check-in 6 is planned for 26 April; the end date (30 April) ends its window.
    assert verdict(K.CHECK_IN, ON_ITS_WAY, AFTER_END, sequence=6) == Skip(WINDOW_PASSED)
    assert verdict(K.CHECK_IN, ON_ITS_WAY, datetime(2027, 4, 29, 9, tzinfo=UTC), 6) == Send()


@pytest.mark.parametrize(
    ("end_asked", "expected"),
    [
        (ASKED_1, Wait(datetime(2027, 2, 16, 9, tzinfo=UTC))),  # asked in the same sweep
        (ASKED_1 - HOUR, Wait(datetime(2027, 2, 16, 9, tzinfo=UTC))),  # earlier that day
        (ASKED_1 - 3 * DAY, Send()),  # on Friday: a working day has passed since
        (None, Send()),
    ],
)
def test_a_question_waits_a_working_day_after_an_end_of_term_ask(
    end_asked: datetime | None, expected: object
) -> None:
    # Asked about the end on Monday 15 February: check-in 1 (due that day) waits until the
    # next working day, so the employee is asked one thing at a time.
    verdict = check_in_verdict(
        K.CHECK_IN, 1, ON_ITS_WAY, TERMS, ASKED_1, None, POLICY, end_asked_at=end_asked
    )
    assert verdict == expected


def test_a_question_held_behind_an_end_of_term_ask_past_its_window_is_skipped() -> None:
    # Check-in 6 (26 April) and an ask on Thursday 29 April: by Friday the end date has come.
    now = datetime(2027, 4, 29, 9, tzinfo=UTC)
    assert check_in_verdict(
        K.CHECK_IN, 6, ON_ITS_WAY, TERMS, now, None, POLICY, end_asked_at=now
    ) == Wait(datetime(2027, 4, 30, 9, tzinfo=UTC))
    assert check_in_verdict(
        K.CHECK_IN, 6, ON_ITS_WAY, TERMS, now + DAY, None, POLICY, end_asked_at=now
    ) == Skip(WINDOW_PASSED)


def test_a_reminder_never_goes_with_its_question() -> None:
    # Back an hour late: the question is on its way in this sweep; the reminder waits a day.
    now = ASKED_1 + DAY + HOUR
    assert verdict(K.CHECK_IN_REMINDER, ON_ITS_WAY, now) == Wait(
        datetime(2027, 2, 17, 9, tzinfo=UTC)
    )
    # The question went out late, at 10:00 on the 16th: the reminder comes the next working day.
    late_question = Asked(now, may_still_go=False)
    assert verdict(K.CHECK_IN_REMINDER, late_question, now) == Wait(
        datetime(2027, 2, 17, 9, tzinfo=UTC)
    )
    assert verdict(K.CHECK_IN_REMINDER, late_question, datetime(2027, 2, 17, 9, tzinfo=UTC)) == (
        Send()
    )


@pytest.mark.parametrize("late", [HOUR, DAY, WEEKS_3, AFTER_END - ASKED_1])
def test_a_check_in_never_asked_is_never_reminded_of_nor_missed(late: timedelta) -> None:
    for kind in (K.CHECK_IN_REMINDER, K.CHECK_IN_SNOOZED, K.CHECK_IN_MISSED):
        assert verdict(kind, NEVER, ASKED_1 + late) == Skip(NEVER_ASKED)


def test_a_missed_mark_waits_two_working_days_from_the_question() -> None:
    # Asked on Friday 19 February at 15:00: reminded Monday, missed Tuesday at 09:00.
    friday = Asked(datetime(2027, 2, 19, 15, tzinfo=UTC), may_still_go=False)
    monday, tuesday = datetime(2027, 2, 22, 9, tzinfo=UTC), datetime(2027, 2, 23, 9, tzinfo=UTC)
    assert verdict(K.CHECK_IN_MISSED, friday, monday) == Wait(tuesday)
    assert verdict(K.CHECK_IN_MISSED, friday, tuesday) == Send()
    # A question still on its way puts the mark two working days after now.
    assert verdict(K.CHECK_IN_MISSED, ON_ITS_WAY, monday) == Wait(
        datetime(2027, 2, 24, 9, tzinfo=UTC)
    )


@pytest.mark.parametrize("late", [WEEKS_3, AFTER_END - ASKED_1])
def test_an_asked_check_in_left_unanswered_is_still_missed_after_downtime(
    late: timedelta,
) -> None:
    assert verdict(K.CHECK_IN_MISSED, SENT, ASKED_1 + late) == Send()
    # Its reminder, though, is no longer current once the next check-in (or the end) is due.
    assert verdict(K.CHECK_IN_REMINDER, SENT, ASKED_1 + late) == Skip(WINDOW_PASSED)


# The end-of-term asks for a secondment ending Friday 30 July 2027: 30 days before (Wednesday 30
# June) and 7 days before (Friday 23 July), at 09:00 UTC in the tests' zone.
END_DATE = date(2027, 7, 30)


@pytest.mark.parametrize(
    ("now", "first", "second"),
    [
        (datetime(2027, 6, 30, 10, tzinfo=UTC), True, True),  # an hour after the first ask
        (datetime(2027, 7, 1, 9, tzinfo=UTC), True, True),  # a day late
        (datetime(2027, 7, 23, 9, tzinfo=UTC), False, True),  # 3 weeks late: the second's day
        (datetime(2027, 7, 30, 9, tzinfo=UTC), False, False),  # the end date has come
        (datetime(2027, 8, 2, 9, tzinfo=UTC), False, False),  # past it
    ],
)
def test_an_end_of_term_ask_goes_only_while_it_is_current(
    now: datetime, first: bool, second: bool
) -> None:
    assert end_ask_current(1, END_DATE, now, None, POLICY) is first
    assert end_ask_current(2, END_DATE, now, None, POLICY) is second


@pytest.mark.parametrize(
    ("day", "now", "late"),
    [
        (date(2027, 4, 30), datetime(2027, 4, 30, 9, tzinfo=UTC), False),  # a Friday, on time
        (date(2027, 4, 30), datetime(2027, 5, 1, 10, tzinfo=UTC), True),  # the Saturday after
        (date(2027, 2, 6), datetime(2027, 2, 8, 9, tzinfo=UTC), False),  # a Saturday: Monday
        (date(2027, 2, 6), datetime(2027, 2, 9, 9, tzinfo=UTC), True),  # Tuesday
        # 09:00 on Monday 1 February in Brisbane is still Sunday in UTC: on time there.
        (date(2027, 2, 1), datetime(2027, 1, 31, 23, tzinfo=UTC), False),
    ],
)
def test_a_message_is_late_once_a_later_day_has_come_where_its_reader_is(
    day: date, now: datetime, late: bool
) -> None:
    tz = "Australia/Brisbane" if now.hour == 23 else None
    assert arrives_late(day, now, tz, POLICY) is late
