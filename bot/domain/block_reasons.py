"""Why a manager blocks, and what would make it work: docs/DOMAIN.md frictions 2 and 3.

A block always carries a category and words; optionally, the conditions that would turn it
into a yes (the forum story's fair compromise: release after a transition period).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class BlockReason(StrEnum):
    COVER = "cover"
    WORKLOAD = "workload"
    TIMING = "timing"
    CONTINUITY = "continuity"
    NOT_A_FIT = "not_a_fit"
    POLICY = "policy"
    OTHER = "other"

    @property
    def label(self) -> str:
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
    LATER_START = "later_start"
    HANDOVER = "handover"
    SHORTER_TERM = "shorter_term"

    @property
    def label(self) -> str:
        return {
            Condition.LATER_START: "A later start date",
            Condition.HANDOVER: "A handover period",
            Condition.SHORTER_TERM: "A shorter term",
        }[self]


EXPLANATION_MAX = 2000
CONDITIONS_NOTE_MAX = 1000


@dataclass(frozen=True, slots=True)
class BlockDetails:
    reason: BlockReason
    explanation: str
    conditions: tuple[Condition, ...] = ()
    conditions_note: str | None = None
