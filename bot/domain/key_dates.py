"""A secondment's key dates, pure functions of the terms in force: those coming up (its start,
its next check-in and its end), which the App Home lists in date order across all of a
person's secondments without another query; and all of them, for the person's calendar feed
(bot/ical.py), on the days the bot really asks (a check-in due on a public holiday is asked
the next working day, and the feed says so)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.domain.calendar import first_working_day
from bot.domain.policy import Policy
from bot.domain.underway_plan import check_in_day, end_decision_days


class DateKind(StrEnum):
    """Which day in a secondment a key date is."""

    START = "start"
    CHECK_IN = "check_in"
    DECISION_DUE = "decision_due"  # the end-of-term decision is first asked for
    END = "end"
    DEBRIEF = "debrief"  # the return debrief is asked for


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
    """One key date of a secondment, for the Home's list and the calendar feed."""

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


def every_key_date(timeline: Timeline, policy: Policy) -> list[KeyDate]:
    """All of a secondment's key dates, past and to come, in date order: the start, each
    check-in and the end-of-term ask as the bot plans them (bot/domain/underway_plan.py), the
    last day, and the day the return debrief is asked for."""
    dates = [KeyDate(timeline.start_date, DateKind.START, timeline)]
    sequence = 1
    while (day := check_in_day(timeline.start_date, timeline.check_in_weeks, sequence)) < (
        timeline.end_date
    ):
        dates.append(KeyDate(first_working_day(day, policy), DateKind.CHECK_IN, timeline, sequence))
        sequence += 1
    asked = timeline.end_date - timedelta(days=end_decision_days(policy, 1))
    if asked > timeline.start_date:
        dates.append(KeyDate(first_working_day(asked, policy), DateKind.DECISION_DUE, timeline))
    dates.append(KeyDate(timeline.end_date, DateKind.END, timeline))
    dates.append(KeyDate(first_working_day(timeline.end_date, policy), DateKind.DEBRIEF, timeline))
    order = list(DateKind)
    return sorted(dates, key=lambda d: (d.on, order.index(d.kind), d.check_in or 0))
