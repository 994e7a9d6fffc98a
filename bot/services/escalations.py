"""Putting a request in front of HR: on request after a block, or by the bot after a silence.

One escalation of each kind per round of decisions: the unique key makes a second click, a
retry, or two people asking at once find the first escalation instead of making another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions
from bot.domain.actor import Actor
from bot.domain.errors import AlreadyEscalated, InvalidInput
from bot.domain.kinds import EscalationKind
from bot.domain.permissions import check_can_ask_hr
from bot.domain.record import SecondmentRecord
from bot.models import Escalation
from bot.services.audit import record_event
from bot.services.loading import load_record
from bot.services.outbox import Announce, said
from bot.services.unit_of_work import change_to

MESSAGE_MAX = 2000


@dataclass(frozen=True, slots=True)
class EscalationRaised:
    """A request just brought to HR: what kind, by whom, and their message."""

    record: SecondmentRecord
    kind: EscalationKind
    raised_by: str | None
    message: str | None


async def ask_for_review(
    sessions: Sessions,
    *,
    actor: Actor,
    secondment_id: int,
    message: str | None,
    announce: Announce[EscalationRaised],
) -> EscalationRaised:
    """Bring a block to HR for review, at the employee's or the other side's asking."""
    if message and len(message) > MESSAGE_MAX:
        raise InvalidInput({"text": f"Keep this to {MESSAGE_MAX} characters or fewer."})
    try:
        async with change_to(sessions, actor, secondment_id) as (session, record):
            check_can_ask_hr(record, actor.user_id, hr_configured=actor.policy.hr_configured)
            await raise_escalation(
                session, record, EscalationKind.BLOCK_REVIEW, actor.user_id, message, actor.now
            )
            raised = await load_record(session, actor.team_id, secondment_id, actor.policy)
            assert raised is not None
            escalation = EscalationRaised(
                raised, EscalationKind.BLOCK_REVIEW, actor.user_id, message
            )
            return await said(session, announce, escalation, secondment_id, actor.now)
    except IntegrityError:
        raise await _existing(sessions, secondment_id, EscalationKind.BLOCK_REVIEW) from None


async def raise_escalation(
    session: AsyncSession,
    record: SecondmentRecord,
    kind: EscalationKind,
    raised_by: str | None,
    message: str | None,
    now: datetime,
) -> None:
    """Record an escalation in the caller's transaction (IntegrityError if this round has one)."""
    session.add(
        Escalation(
            secondment_id=record.id,
            kind=kind,
            round=record.round,
            terms_version=record.terms_version,
            raised_by=raised_by,
            message=message,
            created_at=now,
        )
    )
    await session.flush()
    record_event(
        session,
        secondment_id=record.id,
        actor_id=raised_by or "bot",
        action=f"escalated_{kind.value}",
        terms_version=record.terms_version,
        at=now,
        message=message,
    )


async def _existing(
    sessions: Sessions, secondment_id: int, kind: EscalationKind
) -> AlreadyEscalated:
    async with sessions.begin() as session:
        first = (
            await session.scalars(
                select(Escalation)
                .where(Escalation.secondment_id == secondment_id, Escalation.kind == kind)
                .order_by(Escalation.id.desc())
            )
        ).first()
    assert first is not None, "a unique-key clash means the escalation exists"
    return AlreadyEscalated(kind, first.raised_by, first.created_at)
