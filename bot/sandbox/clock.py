"""The sandbox's clock: the real time plus an offset that the page's clock control moves forward,
so the whole bot (listeners, the sweep, the page) lives on the moved time."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.sandbox.personas import TIMEZONE

# A move by whole days lands no earlier than this, the people's time: the bot says a day's
# things (a start, a check-in) from 09:00, so "+1 week" to a start date shows the start.
DAY_STARTED = time(10, 0)


class MovableClock:
    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, by: timedelta) -> datetime:
        if by < timedelta(0):
            raise ValueError("the clock only moves forward")
        self.offset += by
        return self.now()

    def advance_days(self, days: int) -> datetime:
        """On `days` days, to the same time of day or, if that is earlier, DAY_STARTED."""
        if days < 1:
            raise ValueError("the clock moves on by one day or more")
        moved = self.now() + timedelta(days=days)
        local = moved.astimezone(ZoneInfo(TIMEZONE))
        started = datetime.combine(local.date(), DAY_STARTED, local.tzinfo)
        return self.advance(max(moved, started) - self.now())
