"""Working days and working hours, in a person's own timezone.

A reminder "after three working days" goes out at the start of the third working day after the
wait began, where the recipient is, so nobody is nudged at night, on a weekend or on a public
holiday of the calendar HOLIDAYS names (bot/domain/holidays.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.domain.people import zone_of
from bot.domain.policy import Policy


def is_working_day(day: date, policy: Policy) -> bool:
    """Neither a day off in the week (WORKING_DAYS) nor a public holiday (HOLIDAYS)."""
    return day.weekday() in policy.working_days and day not in policy.holidays


def working_days_later(start: datetime, days: int, tz: str | None, policy: Policy) -> datetime:
    """The start of the working day that is `days` working days after `start`, as UTC."""
    zone = zone_of(tz)
    day = start.astimezone(zone).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, policy):
            counted += 1
    return datetime.combine(day, time(policy.workday_start_hour), tzinfo=zone).astimezone(UTC)


def first_working_day(day: date, policy: Policy) -> date:
    """`day`, or the first working day after it."""
    while not is_working_day(day, policy):
        day += timedelta(days=1)
    return day


def working_day_start(day: date, tz: str | None, policy: Policy) -> datetime:
    """The start of `day`, or of the first working day after it, where the person is, as UTC."""
    start = time(policy.workday_start_hour)
    return datetime.combine(first_working_day(day, policy), start, zone_of(tz)).astimezone(UTC)
