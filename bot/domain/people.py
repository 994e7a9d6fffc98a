"""What the bot needs to know about a workspace member to apply its rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    is_bot: bool = False
    deleted: bool = False
    tz: str | None = None

    @property
    def can_decide(self) -> bool:
        """A bot or a deactivated account cannot release anyone or confirm terms."""
        return not self.is_bot and not self.deleted


def today_for(person: Person, now: datetime) -> date:
    """The calendar date where the person is; UTC when Slack has no timezone for them."""
    try:
        zone: tzinfo = ZoneInfo(person.tz) if person.tz else UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    return now.astimezone(zone).date()
