"""HR's decision on an exception to its written rules (bot/domain/hr_rules.py): terms outside
them, asked for with a reason (bot/services/exception_asked.py), make HR a third approver. The
managers decide the terms as usual; the secondment (or the extension) is agreed only once HR
grants the exception as well (bot/services/move_claims.py waits for it).

HR's decision is one conditional UPDATE, as a manager's is: it matches only while the
exception waits for HR on the terms HR saw, so a double click, a retry or two HR people at
once decide it once. The decision is kept on the terms version it is about, so the record
always shows HR's decision on the terms it shows. A refused extension is closed: the terms in
force stand, and another extension may be proposed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions
from bot.domain.actor import Actor
from bot.domain.decisions import ExceptionDecided
from bot.domain.errors import (
    ExceptionAlreadyDecided,
    InvalidInput,
    NoLongerPending,
    NotFound,
    OnlyHr,
    TermsChanged,
)
from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.domain.states import EndOutcome, SideState, Status
from bot.domain.terms import LONG_TEXT_MAX
from bot.models import Secondment, TermsVersion
from bot.services.audit import record_event
from bot.services.loading import load_record
from bot.services.move_claims import proposal_settled
from bot.services.outbox import Announce, said
from bot.services.replanning import replan
from bot.services.terms_versions import closing_proposal

# Where HR can decide: while the terms are being decided, a block included (HR's decision
# stands once the block is lifted).
DECIDING = (Status.PENDING, Status.BLOCKED, Status.PROPOSAL_PENDING, Status.PROPOSAL_BLOCKED)


async def decide_exception(
    sessions: Sessions,
    *,
    actor: Actor,
    secondment_id: int,
    terms_version: int,
    granted: bool,
    note: str | None,
    announce: Announce[ExceptionDecided],
) -> ExceptionDecided:
    """HR grants the exception asked with `terms_version`, or refuses it with a reason."""
    if not actor.is_hr:
        raise OnlyHr("decide an exception to HR's rules")
    note = _checked_note(granted, note, actor.policy)
    async with sessions.begin() as session:
        claimed = await _claim(
            session, actor.team_id, secondment_id, terms_version, granted, actor.now
        )
        if claimed is None:
            await _explain(session, actor.team_id, secondment_id, terms_version, actor.policy)
            raise AssertionError("a refused decision always has an explanation")
        completed, closed = claimed
        await _write_decision(
            session, secondment_id, terms_version, actor.user_id, granted, note, actor.now
        )
        if completed or closed:
            await session.flush()
            await replan(session, secondment_id, actor.policy, actor.now)
        record = await load_record(session, actor.team_id, secondment_id, actor.policy)
        assert record is not None
        if completed:
            record_event(
                session,
                secondment_id=secondment_id,
                actor_id=actor.user_id,
                action=_agreed(record),
                terms_version=terms_version,
                at=actor.now,
            )
        decided = ExceptionDecided(record, granted, actor.user_id, note, completed, closed)
        return await said(session, announce, decided, secondment_id, actor.now)


def _checked_note(granted: bool, note: str | None, policy: Policy) -> str | None:
    """HR's note, checked: a refusal explains itself to the employee and both managers."""
    note = (note or "").strip() or None
    if not granted and (note is None or len(note) < policy.block_reason_min_chars):
        raise InvalidInput(
            {
                "text": f"Explain the refusal in at least {policy.block_reason_min_chars} "
                "characters: the employee and both managers read it."
            }
        )
    if note is not None and len(note) > LONG_TEXT_MAX:
        raise InvalidInput({"text": f"Keep this to {LONG_TEXT_MAX} characters or fewer."})
    return note


async def _write_decision(
    session: AsyncSession,
    secondment_id: int,
    terms_version: int,
    actor_id: str,
    granted: bool,
    note: str | None,
    now: datetime,
) -> None:
    """HR's decision, kept on the terms version it is about, and its audit event."""
    await session.execute(
        update(TermsVersion)
        .where(
            TermsVersion.secondment_id == secondment_id,
            TermsVersion.version == terms_version,
        )
        .values(
            exception_state=SideState.APPROVED if granted else SideState.BLOCKED,
            exception_decided_by=actor_id,
            exception_decided_at=now,
            exception_note=note,
        )
        .execution_options(synchronize_session=False)
    )
    record_event(
        session,
        secondment_id=secondment_id,
        actor_id=actor_id,
        action="exception_granted" if granted else "exception_refused",
        terms_version=terms_version,
        at=now,
        note=note,
    )


async def _claim(
    session: AsyncSession,
    team_id: str,
    secondment_id: int,
    terms_version: int,
    granted: bool,
    now: datetime,
) -> tuple[bool, bool] | None:
    """HR's decision, once: (whether it agreed the terms, whether it closed an extension);
    None when nothing matched."""
    t = Secondment.__table__.c
    current = (
        await session.execute(
            select(t.terms_version, t.proposal_version).where(
                t.id == secondment_id, t.team_id == team_id
            )
        )
    ).one_or_none()
    if current is None:
        return None
    on_proposal = current.proposal_version is not None
    values = await _decided(session, secondment_id, current.terms_version, on_proposal, granted)
    result = await session.execute(
        update(Secondment)
        .where(
            t.id == secondment_id,
            t.team_id == team_id,
            t.hr_state == SideState.PENDING.value,
            t.status.in_([s.value for s in DECIDING]),
            t.terms_version == current.terms_version,
            (t.proposal_version == terms_version)
            if on_proposal
            else and_(t.proposal_version.is_(None), t.terms_version == terms_version),
        )
        .values({t.updated_at: now} | values)
        .returning(t.home_state, t.host_state)
        .execution_options(synchronize_session=False)
    )
    row = result.first()
    if row is None:
        return None
    completed = granted and row.home_state == row.host_state == SideState.APPROVED
    return completed, not granted and on_proposal


async def _decided(
    session: AsyncSession, secondment_id: int, terms_version: int, on_proposal: bool, granted: bool
) -> dict[Any, Any]:
    """The values of HR's decision: granted, it agrees the terms if both managers approved;
    refused, it blocks the request, or closes the extension."""
    t = Secondment.__table__.c
    if granted:
        both = and_(
            t.home_state == SideState.APPROVED.value, t.host_state == SideState.APPROVED.value
        )
        agreed = and_(both, t.proposal_version.is_not(None))
        # Granted after both managers approved: agreed now, as the last approval would have.
        return {
            t.hr_state: SideState.APPROVED.value,
            t.status: case(
                (agreed, Status.ACTIVE.value),
                (both, Status.APPROVED.value),
                else_=t.status,
            ),
            **proposal_settled(agreed),
        }
    if on_proposal:
        # A refused extension is closed: back to the terms in force, agreed as they were.
        return {t.hr_state: None} | await closing_proposal(session, secondment_id, terms_version)
    return {t.hr_state: SideState.BLOCKED.value}


def _agreed(record: SecondmentRecord) -> str:
    """The audit action of an agreement HR's grant completed."""
    if record.status is Status.APPROVED:
        return "approved"
    return "permanent_move_agreed" if record.outcome is EndOutcome.PERMANENT else "extension_agreed"


async def _explain(
    session: AsyncSession, team_id: str, secondment_id: int, terms_version: int, policy: Policy
) -> None:
    """Raise the refusal explaining why HR's decision was not made."""
    record = await load_record(session, team_id, secondment_id, policy)
    if record is None:
        raise NotFound(secondment_id)
    v = TermsVersion
    decided = (
        await session.execute(
            select(v.exception_state, v.exception_decided_by, v.exception_decided_at).where(
                v.secondment_id == secondment_id, v.version == terms_version
            )
        )
    ).one_or_none()
    if decided and decided.exception_decided_by and decided.exception_decided_at:
        raise ExceptionAlreadyDecided(
            decided.exception_state is SideState.APPROVED,
            decided.exception_decided_by,
            decided.exception_decided_at,
        )
    if record.deciding_version != terms_version:
        raise TermsChanged(terms_version, record.deciding_version)
    raise NoLongerPending(record.status)
