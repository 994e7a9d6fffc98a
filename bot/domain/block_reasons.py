"""Why a manager blocks, and what would make it work: docs/DOMAIN.md frictions 2 and 3.

A block always carries a category and words; optionally, the conditions that would turn it
into a yes (the forum story's fair compromise: release after a transition period).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class BlockReason(StrEnum):
    """The category a manager picks for a block, so HR can count blocks by why."""

    COVER = "cover"
    WORKLOAD = "workload"
    TIMING = "timing"
    CONTINUITY = "continuity"
    NOT_A_FIT = "not_a_fit"
    POLICY = "policy"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The category as the block form and the messages name it."""
        return {
            BlockReason.COVER: "Cover or backfill",
            BlockReason.WORKLOAD: "Team workload",
            BlockReason.TIMING: "Timing",
            BlockReason.CONTINUITY: "Project continuity",
            BlockReason.NOT_A_FIT: "Role or scope not a fit",
            BlockReason.POLICY: "Policy",
            BlockReason.OTHER: "Other",
        }[self]


class Condition(StrEnum):
    """A change that would turn a block into a yes, as the block form offers them."""

    LATER_START = "later_start"
    HANDOVER = "handover"
    SHORTER_TERM = "shorter_term"

    @property
    def label(self) -> str:
        """The condition as the block form and the messages name it."""
        return {
            Condition.LATER_START: "A later start date",
            Condition.HANDOVER: "A handover period",
            Condition.SHORTER_TERM: "A shorter term",
        }[self]


EXPLANATION_MAX = 2000
CONDITIONS_NOTE_MAX = 1000


@dataclass(frozen=True, slots=True)
class BlockDetails:
    """A manager's block as given: its category, its words, and what would make it work."""

    reason: BlockReason
    explanation: str
    conditions: tuple[Condition, ...] = ()
    conditions_note: str | None = None
