"""Exceptions to HR's written rules (bot/domain/hr_rules.py): terms outside them, asked for with
a reason, make HR a third approver. The managers decide the terms as usual; the secondment (or
the extension) is agreed only once HR grants the exception as well (bot/services/decisions.py
waits for it). HR's decision is one conditional UPDATE, as a manager's is: it matches only
while the exception waits for HR on the terms HR saw, so a double click, a retry or two HR
people at once decide it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions
from bot.domain.errors import (
    ExceptionAlreadyDecided,
    InvalidInput,
    NoLongerPending,
    NotFound,
    OnlyHr,
    TermsChanged,
)
from bot.domain.hr_rules import PolicyException
from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.domain.states import EndOutcome, SideState, Status
from bot.models import Secondment
from bot.services.audit import record_event
from bot.services.decisions import proposal_settled
from bot.services.loading import load_record
from bot.services.outbox import Announce, said
from bot.services.settling import settle


def exception_columns(exception: PolicyException | None) -> dict[str, Any]:
    """A terms version's record of the exception asked with it."""
    if exception is None:
        return {"exception_rules": None, "exception_reason": None}
    return {"exception_rules": exception.rules, "exception_reason": exception.reason}


def record_exception_asked(
    session: AsyncSession,
    secondment_id: int,
    actor_id: str,
    terms_version: int,
    exception: PolicyException,
    now: datetime,
) -> None:
    record_event(
        session,
        secondment_id=secondment_id,
        actor_id=actor_id,
        action="exception_asked",
        terms_version=terms_version,
        at=now,
        rules=exception.rules,
        reason=exception.reason,
    )


@dataclass(frozen=True, slots=True)
class ExceptionDecided:
    """HR's decision on an exception, and the record it left."""

    record: SecondmentRecord
    granted: bool
    actor_id: str
    note: str | None
    # The managers had both approved: granting it agreed the secondment (or the extension).
    completed: bool


async def decide_exception(
    sessions: Sessions,
    *,
    team_id: str,
    secondment_id: int,
    terms_version: int,
    actor_id: str,
    actor_is_hr: bool,
    granted: bool,
    note: str | None,
    announce: Announce[ExceptionDecided],
    policy: Policy,
    now: datetime,
) -> ExceptionDecided:
    """HR grants the exception asked with `terms_version`, or refuses it with a reason."""
    if not actor_is_hr:
        raise OnlyHr("decide an exception to HR's rules")
    note = (note or "").strip() or None
    if not granted and (note is None or len(note) < policy.block_reason_min_chars):
        raise InvalidInput(
            {
                "text": f"Explain the refusal in at least {policy.block_reason_min_chars} "
                "characters: the employee and both managers read it."
            }
        )
    async with sessions.begin() as session:
        completed = await _claim(
            session, team_id, secondment_id, terms_version, actor_id, now, granted, note
        )
        if completed is None:
            await _explain(session, team_id, secondment_id, terms_version, policy)
            raise AssertionError("a refused decision always has an explanation")
        record_event(
            session,
            secondment_id=secondment_id,
            actor_id=actor_id,
            action="exception_granted" if granted else "exception_refused",
            terms_version=terms_version,
            at=now,
            note=note,
        )
        record = await load_record(session, team_id, secondment_id, policy)
        assert record is not None
        if completed:
            record_event(
                session,
                secondment_id=secondment_id,
                actor_id=actor_id,
                action=_agreed(record),
                terms_version=terms_version,
                at=now,
            )
            await settle(session, secondment_id, policy, now)
            record = await load_record(session, team_id, secondment_id, policy)
            assert record is not None
        decided = ExceptionDecided(record, granted, actor_id, note, completed)
        return await said(session, announce, decided, secondment_id, now)


async def _claim(
    session: AsyncSession,
    team_id: str,
    secondment_id: int,
    terms_version: int,
    actor_id: str,
    now: datetime,
    granted: bool,
    note: str | None,
) -> bool | None:
    """HR's decision, once: whether it agreed the terms; None when nothing matched."""
    t = Secondment.__table__.c
    both = and_(t.home_state == SideState.APPROVED.value, t.host_state == SideState.APPROVED.value)
    proposal = t.proposal_version.is_not(None)
    agreed = and_(both, proposal)
    values: dict[Any, Any] = {
        t.hr_state: (SideState.APPROVED if granted else SideState.BLOCKED).value,
        t.hr_decided_by: actor_id,
        t.hr_decided_at: now,
        t.hr_note: note,
        t.updated_at: now,
    }
    if granted:
        # Granted after both managers approved: agreed now, as the last approval would have.
        values |= {
            t.status: case(
                (agreed, Status.ACTIVE.value),
                (both, Status.APPROVED.value),
                else_=t.status,
            ),
            **proposal_settled(agreed),
        }
    result = await session.execute(
        update(Secondment)
        .where(
            t.id == secondment_id,
            t.team_id == team_id,
            t.hr_state == SideState.PENDING.value,
            t.status.in_([Status.PENDING.value, Status.PROPOSAL_PENDING.value]),
            case((proposal, t.proposal_version), else_=t.terms_version) == terms_version,
        )
        .values(values)
        .returning(t.home_state, t.host_state)
        .execution_options(synchronize_session=False)
    )
    row = result.first()
    if row is None:
        return None
    return granted and row.home_state == row.host_state == SideState.APPROVED


def _agreed(record: SecondmentRecord) -> str:
    """The audit action of an agreement HR's grant completed."""
    if record.status is Status.APPROVED:
        return "approved"
    return "permanent_move_agreed" if record.outcome is EndOutcome.PERMANENT else "extension_agreed"


async def _explain(
    session: AsyncSession, team_id: str, secondment_id: int, terms_version: int, policy: Policy
) -> None:
    record = await load_record(session, team_id, secondment_id, policy)
    if record is None:
        raise NotFound(secondment_id)
    if record.deciding_version != terms_version:
        raise TermsChanged(terms_version, record.deciding_version)
    exception = record.exception
    if exception and exception.state is not SideState.PENDING and exception.decided_by:
        assert exception.decided_at is not None
        raise ExceptionAlreadyDecided(
            exception.state is SideState.APPROVED, exception.decided_by, exception.decided_at
        )
    raise NoLongerPending(record.status)
