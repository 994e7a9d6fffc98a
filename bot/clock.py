"""The one place the bot reads the current time.

Listeners, delivery and the scheduler ask `deps.clock` for "now" rather than the system, so a
stand-in clock can move the whole bot through a secondment's weeks at once (the sandbox's clock
control) or hold it still in a test. Durations (`time.monotonic()`) are not the domain's time and
stay on the system clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """Where the bot reads the time from: the system's clock, or a stand-in's."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The real time, as the system reports it."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        return datetime.now(UTC)
