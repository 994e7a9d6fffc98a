"""The sandbox's clock: the real time plus an offset that the page's clock control moves forward,
so the whole bot (listeners, the sweep, the page) lives on the moved time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


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
