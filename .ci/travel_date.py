"""Print the instant CI's time-travel run starts at, in libfaketime's `@YYYY-MM-DD HH:MM:SS` form.

The suite must pass on any date, so CI runs it a second time about 13 months ahead of the real
date, moved to the nearest day that has tripped date code before: 29 February, a day the clocks
change in London (the bot's default timezone) or New York, or 31 December. The longest stretch
without one runs from late March to late October, so the run lands 9½ to 16½ months ahead. Noon
UTC keeps the run on that day from start to end.

Usage: python3 .ci/travel_date.py [YYYY-MM-DD]   (the real date when none is given)
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta

AHEAD = timedelta(days=395)


def _last_sunday(year: int, month: int) -> date:
    last = (date(year, month + 1, 1) if month < 12 else date(year + 1, 1, 1)) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - 6) % 7)


def _nth_sunday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))


def _tricky_days(year: int) -> list[date]:
    days = [
        _last_sunday(year, 3),  # London to summer time
        _last_sunday(year, 10),  # London back to winter time
        _nth_sunday(year, 3, 2),  # New York to summer time
        _nth_sunday(year, 11, 1),  # New York back to winter time
        date(year, 12, 31),
    ]
    if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        days.append(date(year, 2, 29))
    return days


def travel_date(today: date) -> date:
    """The tricky day nearest to `today` plus 13 months (the later one of two as near)."""
    target = today + AHEAD
    candidates = [
        day for year in range(target.year - 1, target.year + 2) for day in _tricky_days(year)
    ]
    return min(candidates, key=lambda day: (abs(day - target), target - day))


def main(argv: list[str]) -> None:
    today = date.fromisoformat(argv[1]) if len(argv) > 1 else datetime.now(UTC).date()
    print(f"@{travel_date(today).isoformat()} 12:00:00")


if __name__ == "__main__":
    main(sys.argv)
