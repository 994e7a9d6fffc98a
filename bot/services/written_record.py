"""The full written record of one secondment, for `/secondment export`: every version of the
terms, the decisions with their reasons, the notes, escalations, check-ins, the debrief and the
audit trail, as the person asking may read it.

A check-in's note is withheld from a party the employee was not told would see it, in the
check-ins and in the audit trail alike (bot.domain.permissions.may_read_check_in_note).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.db import Sessions
from bot.domain.actor import Actor
from bot.domain.permissions import check_can_export, may_read_check_in_note
from bot.domain.record import SecondmentRecord
from bot.domain.written_record import (
    AuditEntry,
    CheckInEntry,
    DebriefEntry,
    DecisionEntry,
    EscalationEntry,
    NoteEntry,
    VersionEntry,
    WrittenRecord,
)
from bot.models import AuditEvent, CheckIn, Debrief, Decision, Escalation, Note, TermsVersion
from bot.services.loading import load_record
from bot.services.records import terms_of


async def load_written_record(
    sessions: Sessions, *, actor: Actor, secondment_id: int
) -> WrittenRecord:
    """The written record of one secondment, as `viewer_id` may read it (or NotFound)."""
    async with sessions.begin() as session:
        record = check_can_export(
            await load_record(session, actor.team_id, secondment_id, actor.policy),
            secondment_id,
            actor.user_id,
            actor.is_hr,
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

    entries = [_check_in_entry(record, c, actor.user_id, actor.is_hr) for c in check_ins]
    withheld = {entry.sequence for entry in entries if entry.note_withheld}
    return WrittenRecord(
        record=record,
        viewer_id=actor.user_id,
        versions=[_version_entry(v) for v in versions],
        decisions=[_decision_entry(d) for d in decisions],
        notes=[NoteEntry(n.kind, n.author_id, n.text) for n in notes],
        escalations=[_escalation_entry(e) for e in escalations],
        check_ins=entries,
        debrief=_debrief_entry(debriefs[0]) if debriefs else None,
        audit=[_audit_entry(e, withheld) for e in events],
    )


def _check_in_entry(
    record: SecondmentRecord, check_in: CheckIn, viewer_id: str, viewer_is_hr: bool
) -> CheckInEntry:
    readable = may_read_check_in_note(
        record,
        viewer_id,
        viewer_is_hr,
        sequence=check_in.sequence,
        answer=check_in.answer,
        shared=check_in.shared_with_home,
    )
    return CheckInEntry(
        check_in.sequence,
        check_in.answer,
        check_in.note if readable else None,
        not readable and bool(check_in.note),
        check_in.shared_with_home,
        check_in.answered_at,
        check_in.missed_at,
    )


def _version_entry(version: TermsVersion) -> VersionEntry:
    return VersionEntry(
        version.version,
        terms_of(version),
        version.created_by,
        version.created_at,
        version.change_note,
        version.exception_rules,
        version.exception_reason,
    )


def _decision_entry(decision: Decision) -> DecisionEntry:
    return DecisionEntry(
        side=decision.side,
        terms_version=decision.terms_version,
        outcome=decision.outcome,
        kind=decision.kind,
        decided_by=decision.decided_by,
        on_behalf_of=decision.on_behalf_of,
        reason=decision.reason,
        explanation=decision.explanation,
        conditions=list(decision.conditions) if decision.conditions else None,
        conditions_note=decision.conditions_note,
        created_at=decision.created_at,
    )


def _escalation_entry(escalation: Escalation) -> EscalationEntry:
    return EscalationEntry(
        escalation.kind,
        escalation.terms_version,
        escalation.raised_by,
        escalation.message,
        escalation.created_at,
        escalation.resolved_at,
    )


def _debrief_entry(debrief: Debrief) -> DebriefEntry:
    return DebriefEntry(
        debrief.achieved,
        debrief.skills_gained,
        debrief.bring_back,
        debrief.home_role_changes,
        debrief.next_step,
        debrief.recorded_by,
        debrief.recorded_at,
    )


def _audit_entry(event: AuditEvent, withheld: set[int]) -> AuditEntry:
    detail = dict(event.detail or {})
    if event.action == "check_in_answered" and detail.get("sequence") in withheld:
        detail.pop("note", None)
    return AuditEntry(event.at, event.actor_id, event.action, event.terms_version, detail)
