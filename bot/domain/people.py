"""What the bot needs to know about a workspace member to apply its rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True, slots=True)
class Person:
    """A workspace member as Slack describes them: whether they can decide, and their timezone."""

    id: str
    is_bot: bool = False
    deleted: bool = False
    tz: str | None = None

    @property
    def can_decide(self) -> bool:
        """A bot or a deactivated account cannot release anyone or confirm terms."""
        return not self.is_bot and not self.deleted


def zone_of(tz: str | None) -> tzinfo:
    """The person's timezone; UTC when Slack has none for them or names one we don't know."""
    try:
        return ZoneInfo(tz) if tz else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def today_for(person: Person, now: datetime) -> date:
    """The calendar date where the person is."""
    return now.astimezone(zone_of(person.tz)).date()
