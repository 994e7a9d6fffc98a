"""What retention and erasure leave behind: the word that replaces a person, the text that
replaces their words, and the audit details that hold either. Pure; bot/services/anonymisation.py
and bot/services/erasure.py write it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain.terms import add_months

ERASED = "erased"  # in place of a person's Slack id
ERASED_TEXT = "[removed]"  # in place of a required free text
# Audit details that carry someone's own words.
FREE_TEXT_KEYS = frozenset(
    {"explanation", "justification", "note", "reason", "text", "message", "objectives", "next_step"}
)


def retention_cutoff(now: datetime, years: int) -> datetime:
    """Closed before this moment: past retention (29 February falls back to the 28th)."""
    day = add_months(now.date(), -12 * years)
    return now.replace(year=day.year, month=day.month, day=day.day)


def scrub_detail(detail: dict[str, Any], person_id: str, *, drop_text: bool) -> dict[str, Any]:
    """An audit detail without `person_id` (replaced by ERASED) and, when the event was theirs,
    without the words they wrote."""

    def clean(value: Any) -> Any:
        """The value with the person's id erased."""
        if isinstance(value, str):
            return value.replace(person_id, ERASED)  # an id, or a mention in someone's words
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return {
        key: clean(value)
        for key, value in detail.items()
        if not (drop_text and key in FREE_TEXT_KEYS)
    }


@dataclass(frozen=True, slots=True)
class RetentionApplied:
    """The secondments one retention run anonymised and deleted, by id."""

    anonymised: list[int]
    deleted: list[int]


@dataclass(frozen=True, slots=True)
class PersonErased:
    """Whose data an erasure removed, and from how many secondments."""

    person_id: str
    secondments: int
