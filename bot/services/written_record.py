"""The full written record of one secondment, for `/secondment export`: every version of the
terms, the decisions with their reasons, the notes, escalations, check-ins, the debrief and the
audit trail, as the person asking may read it.

A check-in's note is withheld from a party the employee was not told would see it, in the
check-ins and in the audit trail alike (bot.domain.permissions.may_read_check_in_note).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.db import Sessions
from bot.domain.permissions import check_can_export, may_read_check_in_note
from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.domain.terms import Terms
from bot.models import AuditEvent, CheckIn, Debrief, Decision, Escalation, Note, TermsVersion
from bot.services.loading import load_record, terms_of


@dataclass(frozen=True, slots=True)
class VersionEntry:
    """One version of the terms, who made it and why, as the written record lists it."""

    version: int
    terms: Terms
    created_by: str
    created_at: datetime
    change_note: str | None
    # Outside HR's rules: which, and why an exception was asked.
    exception_rules: str | None = None
    exception_reason: str | None = None


@dataclass(frozen=True, slots=True)
class CheckInEntry:
    """One check-in as the written record shows it to the person asking."""

    sequence: int
    answer: str | None
    note: str | None
    note_withheld: bool
    shared_with_home: bool
    answered_at: datetime | None
    missed_at: datetime | None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audit event as the written record shows it."""

    at: datetime
    actor_id: str
    action: str
    terms_version: int | None
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class WrittenRecord:
    """Everything the written record of one secondment holds, as the person asking may read it."""

    record: SecondmentRecord
    viewer_id: str
    versions: list[VersionEntry]
    decisions: list[Decision]
    notes: list[Note]
    escalations: list[Escalation]
    check_ins: list[CheckInEntry]
    debrief: Debrief | None
    audit: list[AuditEntry]


async def load_written_record(
    sessions: Sessions,
    *,
    team_id: str,
    secondment_id: int,
    viewer_id: str,
    viewer_is_hr: bool,
    policy: Policy,
) -> WrittenRecord:
    """The written record of one secondment, for one of its three parties or HR."""
    async with sessions.begin() as session:
        record = check_can_export(
            await load_record(session, team_id, secondment_id, policy),
            secondment_id,
            viewer_id,
            viewer_is_hr,
        )

        async def all_of(model: Any, *order: Any) -> list[Any]:
            """Every row of `model` that belongs to the secondment, in `order`."""
            return list(
                await session.scalars(
                    select(model).where(model.secondment_id == secondment_id).order_by(*order)
                )
            )

        versions = await all_of(TermsVersion, TermsVersion.version)
        decisions = await all_of(Decision, Decision.id)
        notes = await all_of(Note, Note.id)
        escalations = await all_of(Escalation, Escalation.id)
        check_ins = await all_of(CheckIn, CheckIn.sequence)
        debriefs = await all_of(Debrief, Debrief.id)
        events = await all_of(AuditEvent, AuditEvent.id)

    withheld: set[int] = set()
    entries = []
    for check_in in check_ins:
        readable = may_read_check_in_note(
            record,
            viewer_id,
            viewer_is_hr,
            sequence=check_in.sequence,
            answer=check_in.answer,
            shared=check_in.shared_with_home,
        )
        if not readable and check_in.note:
            withheld.add(check_in.sequence)
        entries.append(
            CheckInEntry(
                check_in.sequence,
                check_in.answer,
                check_in.note if readable else None,
                not readable and bool(check_in.note),
                check_in.shared_with_home,
                check_in.answered_at,
                check_in.missed_at,
            )
        )
    return WrittenRecord(
        record=record,
        viewer_id=viewer_id,
        versions=[
            VersionEntry(
                v.version,
                terms_of(v),
                v.created_by,
                v.created_at,
                v.change_note,
                v.exception_rules,
                v.exception_reason,
            )
            for v in versions
        ],
        decisions=decisions,
        notes=notes,
        escalations=escalations,
        check_ins=entries,
        debrief=debriefs[0] if debriefs else None,
        audit=[_audit_entry(e, withheld) for e in events],
    )


def _audit_entry(event: AuditEvent, withheld: set[int]) -> AuditEntry:
    detail = dict(event.detail or {})
    if event.action == "check_in_answered" and detail.get("sequence") in withheld:
        detail.pop("note", None)
    return AuditEntry(event.at, event.actor_id, event.action, event.terms_version, detail)
