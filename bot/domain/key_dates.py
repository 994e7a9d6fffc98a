"""The dates coming up in an approved or running secondment: its start, its next check-in and its
end. A pure function of the terms in force and today, so the App Home can list them in date
order across all of a person's secondments without another query."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.domain.lifecycle import check_in_day


class DateKind(StrEnum):
    START = "start"
    CHECK_IN = "check_in"
    END = "end"


@dataclass(frozen=True, slots=True)
class Timeline:
    """What one secondment's key dates are computed from (the terms in force)."""

    secondment_id: int
    employee_id: str
    role_title: str
    host_team: str
    start_date: date
    end_date: date
    check_in_weeks: int


@dataclass(frozen=True, slots=True)
class KeyDate:
    on: date
    kind: DateKind
    timeline: Timeline
    check_in: int | None = None  # which check-in, for a check-in date


def next_check_in(timeline: Timeline, today: date) -> tuple[int, date] | None:
    """The first check-in after today, as (number, day); none once the last one has passed.
    Check-ins fall every N weeks from the start, before the end date (as they are planned)."""
    weeks_passed = (today - timeline.start_date).days // 7
    sequence = max(1, weeks_passed // timeline.check_in_weeks + 1)
    day = check_in_day(timeline.start_date, timeline.check_in_weeks, sequence)
    return (sequence, day) if day < timeline.end_date else None


def upcoming_dates(timelines: Iterable[Timeline], today: date) -> list[KeyDate]:
    """Every start, next check-in and end after today, soonest first."""
    dates: list[KeyDate] = []
    for timeline in timelines:
        if timeline.start_date > today:
            dates.append(KeyDate(timeline.start_date, DateKind.START, timeline))
        check_in = next_check_in(timeline, today)
        if check_in is not None:
            sequence, day = check_in
            dates.append(KeyDate(day, DateKind.CHECK_IN, timeline, sequence))
        if timeline.end_date > today:
            dates.append(KeyDate(timeline.end_date, DateKind.END, timeline))
    order = list(DateKind)
    return sorted(dates, key=lambda d: (d.on, d.timeline.secondment_id, order.index(d.kind)))
