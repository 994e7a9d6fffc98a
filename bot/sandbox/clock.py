"""The sandbox's clock: the real time plus an offset that the page's clock control moves forward,
so the whole bot (listeners, the sweep, the page) lives on the moved time."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.slack_standin.personas import TIMEZONE

# A move by whole days lands no earlier than this, the people's time: the bot says a day's
# things (a start, a check-in) from 09:00, so "+1 week" to a start date shows the start.
DAY_STARTED = time(10, 0)
MOST_DAYS = 3650  # ten years: any secondment, with its debrief, fits


class MovableClock:
    """The bot's clock in the sandbox: the real time, moved on by the page."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        """The moved time."""
        return datetime.now(UTC) + self.offset

    def advance(self, by: timedelta) -> datetime:
        """Move the clock forward by `by`; the new time."""
        if by < timedelta(0):
            raise ValueError("the clock only moves forward")
        self.offset += by
        return self.now()

    def advance_days(self, days: int) -> datetime:
        """On `days` days by the people's calendar, to the same time of day (a clock change
        between does not shift it) or, if that is earlier, DAY_STARTED."""
        if not 1 <= days <= MOST_DAYS:
            raise ValueError(f"the clock moves on by 1 to {MOST_DAYS} days")
        zone = ZoneInfo(TIMEZONE)
        here = self.now().astimezone(zone)
        at = max(here.time().replace(tzinfo=None), DAY_STARTED)
        target = datetime.combine(here.date() + timedelta(days=days), at, zone)
        # In UTC: between two times in one zone Python subtracts wall clocks, not instants.
        return self.advance(target.astimezone(UTC) - self.now())
