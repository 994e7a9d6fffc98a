"""The dates coming up in a secondment, pure: the start, the next check-in, the end."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.key_dates import DateKind, Timeline, next_check_in, upcoming_dates

# Monday 1 February to Friday 30 July, a check-in every two weeks: 15 Feb, 1 Mar, ... 19 Jul.
TIMELINE = Timeline(1, "UEMP", "Analyst", "Data", date(2027, 2, 1), date(2027, 7, 30), 2)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2027, 1, 4), (1, date(2027, 2, 15))),  # before the start: the first
        (date(2027, 2, 1), (1, date(2027, 2, 15))),  # the start day
        (date(2027, 2, 14), (1, date(2027, 2, 15))),
        (date(2027, 2, 15), (2, date(2027, 3, 1))),  # on a check-in day: the next one
        (date(2027, 7, 18), (12, date(2027, 7, 19))),  # the last before the end
        (date(2027, 7, 19), None),  # the next would fall after the end date
    ],
)
def test_the_next_check_in_is_the_first_after_today(
    today: date, expected: tuple[int, date] | None
) -> None:
    assert next_check_in(TIMELINE, today) == expected


def test_no_check_in_falls_on_the_end_date() -> None:
    ends_on_a_check_in = Timeline(1, "U", "A", "D", date(2027, 2, 1), date(2027, 3, 1), 2)

    assert next_check_in(ends_on_a_check_in, date(2027, 2, 20)) is None


def test_upcoming_dates_across_secondments_are_soonest_first_and_after_today() -> None:
    weekly = Timeline(2, "UEMP", "Lead", "Ops", date(2027, 2, 10), date(2027, 3, 31), 1)

    dates = upcoming_dates([TIMELINE, weekly], today=date(2027, 2, 1))

    assert [(d.on, d.timeline.secondment_id, d.kind, d.check_in) for d in dates] == [
        (date(2027, 2, 10), 2, DateKind.START, None),
        (date(2027, 2, 15), 1, DateKind.CHECK_IN, 1),
        (date(2027, 2, 17), 2, DateKind.CHECK_IN, 1),
        (date(2027, 3, 31), 2, DateKind.END, None),
        (date(2027, 7, 30), 1, DateKind.END, None),
    ]


def test_a_secondment_on_its_last_day_has_nothing_more_to_come() -> None:
    assert upcoming_dates([TIMELINE], today=TIMELINE.end_date) == []
