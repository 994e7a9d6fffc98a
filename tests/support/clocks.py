"""A stand-in for the bot's clock (bot/clock.py) that stands still until a test sets it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class SetClock:
    """A clock that says `at` until the test changes it."""

    at: datetime

    def now(self) -> datetime:
        """The time the test set."""
        return self.at
