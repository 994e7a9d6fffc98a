"""The dates coming up in a secondment, pure: the start, the next check-in, the end."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.domain.holidays import PublicHolidays
from bot.domain.key_dates import (
    DateKind,
    Timeline,
    every_key_date,
    next_check_in,
    upcoming_dates,
)
from bot.domain.policy import Policy

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


ENGLAND = replace(Policy(), holidays=PublicHolidays("GB-ENG"))


def test_every_key_date_falls_on_the_day_the_bot_asks_past_public_holidays() -> None:
    """With HOLIDAYS=GB-ENG a check-in due on Christmas Day 2026 (a Friday) is asked on
    Tuesday 29 December: the 26th and 27th are the weekend and the 28th is Boxing Day's
    substitute. One due on Easter Monday 2027 (29 March) is asked on the Tuesday, and so is
    one due on Good Friday (26 March), past the weekend and Easter Monday."""
    christmas = Timeline(7, "UEMP", "Analyst", "Data", date(2026, 12, 11), date(2027, 6, 4), 2)
    easter_monday = Timeline(8, "UEMP", "Analyst", "Data", date(2027, 3, 15), date(2027, 6, 4), 2)
    good_friday = Timeline(9, "UEMP", "Analyst", "Data", date(2027, 3, 12), date(2027, 6, 4), 2)

    def first_check_in(timeline: Timeline, policy: Policy) -> date:
        return next(d.on for d in every_key_date(timeline, policy) if d.kind is DateKind.CHECK_IN)

    assert first_check_in(christmas, ENGLAND) == date(2026, 12, 29)
    assert first_check_in(christmas, Policy()) == date(2026, 12, 25)  # no HOLIDAYS set
    assert first_check_in(easter_monday, ENGLAND) == date(2027, 3, 30)
    assert first_check_in(good_friday, ENGLAND) == date(2027, 3, 30)
    # The start and the last day are the agreed dates, whatever day they fall on.
    starts = [d.on for d in every_key_date(christmas, ENGLAND) if d.kind is DateKind.START]
    assert starts == [date(2026, 12, 11)]


def test_every_key_date_in_order_with_the_end_of_term_ask_only_after_the_start() -> None:
    dates = every_key_date(TIMELINE, Policy())

    assert [(d.on, d.kind) for d in dates][:2] == [
        (date(2027, 2, 1), DateKind.START),
        (date(2027, 2, 15), DateKind.CHECK_IN),
    ]
    assert [d.on for d in dates] == sorted(d.on for d in dates)
    assert [(d.on, d.kind) for d in dates][-2:] == [
        (date(2027, 7, 30), DateKind.END),
        (date(2027, 7, 30), DateKind.DEBRIEF),
    ]
    assert (date(2027, 6, 30), DateKind.DECISION_DUE) in [(d.on, d.kind) for d in dates]
    # A term shorter than the ask's lead time is asked only nearer its end, as planned.
    short = Timeline(2, "UEMP", "Analyst", "Data", date(2027, 2, 1), date(2027, 2, 26), 2)
    assert DateKind.DECISION_DUE not in {d.kind for d in every_key_date(short, Policy())}
