"""What the App Home shows one person, as plain data: its sections, and each section's first
items with how many there are in all. Read by bot/services/home.py, drawn by
bot/slack/builders/home.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

from bot.domain.absences import Away
from bot.domain.key_dates import KeyDate
from bot.domain.kinds import EscalationKind
from bot.domain.states import Side
from bot.domain.summary import SecondmentSummary

Item = TypeVar("Item")


class HomeSection(StrEnum):
    """The sections of the App Home, each listing one kind of item."""

    MINE = "mine"  # the viewer's secondments as employee
    DECISIONS = "decisions"  # sides the viewer decides that await a decision
    MANAGED = "managed"  # secondments of the viewer's own people (the viewer is home manager)
    HOSTED = "hosted"  # secondments into the viewer's team (the viewer is host manager)
    DATES = "dates"  # starts, check-ins and ends coming up in the viewer's secondments
    HR_OPEN = "hr_open"
    HR_COMPLETED = "hr_completed"
    HR_ESCALATIONS = "hr_escalations"
    HR_MISSED = "hr_missed"

    @property
    def for_hr(self) -> bool:
        """Whether only HR sees this section."""
        return self.value.startswith("hr_")


@dataclass(frozen=True, slots=True)
class Shown(Generic[Item]):
    """The first items of a section, and how many there are in all."""

    items: tuple[Item, ...]
    total: int


@dataclass(frozen=True, slots=True)
class PendingDecision:
    """A side the viewer decides that awaits their decision."""

    secondment: SecondmentSummary
    side: Side


@dataclass(frozen=True, slots=True)
class OpenEscalation:
    """A request brought to HR that HR has not settled yet."""

    secondment: SecondmentSummary
    kind: EscalationKind
    raised_by: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class MissedCheckIn:
    """A check-in the employee was asked and reminded of and did not answer."""

    secondment: SecondmentSummary
    sequence: int
    missed_at: datetime


@dataclass(frozen=True, slots=True)
class Completed:
    """A completed secondment, with how many extensions it had on the way."""

    secondment: SecondmentSummary
    extensions: int


@dataclass(frozen=True, slots=True)
class HrHome:
    """The sections only HR sees on its Home."""

    open: Shown[SecondmentSummary]
    escalations: Shown[OpenEscalation]
    missed: Shown[MissedCheckIn]
    completed: Shown[Completed] = Shown((), 0)


@dataclass(frozen=True, slots=True)
class Home:
    """Everything one person's App Home shows."""

    mine: Shown[SecondmentSummary]
    decisions: Shown[PendingDecision]
    dates: Shown[KeyDate]
    hr: HrHome | None  # None: the viewer is not HR
    managed: Shown[SecondmentSummary] = Shown((), 0)
    hosted: Shown[SecondmentSummary] = Shown((), 0)
    away: tuple[Away, ...] = ()  # the viewer's time away still to come or under way
