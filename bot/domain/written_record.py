"""The written record of one secondment as `/secondment export` shows it: every version of the
terms, the decisions, notes, escalations, check-ins, the debrief and the audit trail, as frozen
values the service loads and the document builder renders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain.block_reasons import BlockReason
from bot.domain.kinds import EscalationKind, NoteKind
from bot.domain.record import SecondmentRecord
from bot.domain.states import DecisionKind, Outcome, Side
from bot.domain.terms import Terms


@dataclass(frozen=True, slots=True)
class VersionEntry:
    """One version of the terms, with who wrote it and why."""

    version: int
    terms: Terms
    created_by: str
    created_at: datetime
    change_note: str | None
    # Outside HR's rules: which, and why an exception was asked.
    exception_rules: str | None = None
    exception_reason: str | None = None


@dataclass(frozen=True, slots=True)
class DecisionEntry:
    """A manager's decision on one side of one version, with its reason or justification."""

    side: Side
    terms_version: int
    outcome: Outcome
    kind: DecisionKind
    decided_by: str
    on_behalf_of: str | None
    reason: BlockReason | None
    explanation: str | None
    conditions: list[str] | None
    conditions_note: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NoteEntry:
    """Words added to the approval thread: a response to a block, or HR's note."""

    kind: NoteKind
    author_id: str
    text: str


@dataclass(frozen=True, slots=True)
class EscalationEntry:
    """A time the request was put in front of HR, and whether that is over."""

    kind: EscalationKind
    terms_version: int
    raised_by: str | None  # None: raised by the bot
    message: str | None
    created_at: datetime
    resolved_at: datetime | None


@dataclass(frozen=True, slots=True)
class CheckInEntry:
    """A check-in's answer, with its note only where the reader may see it."""

    sequence: int
    answer: str | None
    note: str | None
    note_withheld: bool
    shared_with_home: bool
    answered_at: datetime | None
    missed_at: datetime | None


@dataclass(frozen=True, slots=True)
class DebriefEntry:
    """The return debrief as recorded."""

    achieved: str
    skills_gained: str
    bring_back: str
    home_role_changes: str | None
    next_step: str
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audit event, its detail already cut to what the reader may see."""

    at: datetime
    actor_id: str
    action: str
    terms_version: int | None
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class WrittenRecord:
    """Everything the written record of one secondment holds, for one reader."""

    record: SecondmentRecord
    viewer_id: str
    versions: list[VersionEntry]
    decisions: list[DecisionEntry]
    notes: list[NoteEntry]
    escalations: list[EscalationEntry]
    check_ins: list[CheckInEntry]
    debrief: DebriefEntry | None
    audit: list[AuditEntry]
