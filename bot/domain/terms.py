"""The written terms of a secondment: what the request captures and every party confirms.

Every field traces to docs/DOMAIN.md, friction 1 ("get everything in writing": duration,
responsibilities, reporting line, pay and benefits, the plan for the end) and friction 4
(a coverage plan for the home role).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from enum import StrEnum


class Kind(StrEnum):
    """Whether the secondment is to another team here or to another organisation."""

    INTERNAL = "internal"
    EXTERNAL = "external"

    @property
    def label(self) -> str:
        """The kind as the request form names it."""
        return {
            Kind.INTERNAL: "Internal (another team here)",
            Kind.EXTERNAL: "External (another organisation)",
        }[self]


class ReturnArrangement(StrEnum):
    """What the employee comes back to at the end of the term."""

    SAME_ROLE = "same_role"
    SAME_GRADE = "same_grade"
    TO_BE_AGREED = "to_be_agreed"
    # Not offered on a request: it is what an agreed permanent move writes into the terms.
    PERMANENT_MOVE = "permanent_move"

    @classmethod
    def on_request(cls) -> tuple[ReturnArrangement, ...]:
        """The arrangements a request may choose (a permanent move is agreed later)."""
        return (cls.SAME_ROLE, cls.SAME_GRADE, cls.TO_BE_AGREED)

    @property
    def label(self) -> str:
        """The arrangement as people read it."""
        return {
            ReturnArrangement.SAME_ROLE: "Return to the same role",
            ReturnArrangement.SAME_GRADE: "Return to a role of the same grade",
            ReturnArrangement.TO_BE_AGREED: "To be agreed before the end",
            ReturnArrangement.PERMANENT_MOVE: "No return: a permanent move to the host team",
        }[self]


DEFAULT_PAY_AND_BENEFITS = "Unchanged, paid by the home employer"

# Lengths chosen so that a field rendered under its label fits a 3,000-character section.
SHORT_TEXT_MAX = 150
MEDIUM_TEXT_MAX = 500
LONG_TEXT_MAX = 2500
MIN_TIME_COMMITMENT = 10
MAX_TIME_COMMITMENT = 100
MAX_HANDOVER_WEEKS = 26


@dataclass(frozen=True, slots=True)
class Terms:
    """One version of the written terms, as every party confirms them."""

    kind: Kind
    host_team: str
    role_title: str
    responsibilities: str
    objectives: str
    start_date: date
    end_date: date
    time_commitment: int
    reporting_line: str | None
    pay_and_benefits: str
    return_arrangement: ReturnArrangement
    coverage_plan: str
    handover_weeks: int | None

    @property
    def days(self) -> int:
        """Length of the term, counting both the first and the last day."""
        return (self.end_date - self.start_date).days + 1

    @property
    def time_commitment_label(self) -> str:
        """The time commitment as people read it ("Full time", "60% of full time")."""
        if self.time_commitment == MAX_TIME_COMMITMENT:
            return "Full time"
        return f"{self.time_commitment}% of full time"


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise AssertionError("every month has a 28th")


@dataclass(frozen=True, slots=True)
class TermChange:
    """One field that changed between two versions of the terms."""

    field: str
    old: object
    new: object


def diff_terms(old: Terms, new: Terms) -> list[TermChange]:
    """What changed between two versions of the terms, field by field, in form order."""
    return [
        TermChange(name, getattr(old, name), getattr(new, name))
        for name in (f.name for f in fields(Terms))
        if getattr(old, name) != getattr(new, name)
    ]
