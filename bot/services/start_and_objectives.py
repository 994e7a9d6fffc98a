"""The secondment once approved: it becomes active on its start date, and the employee and the
host manager record the objectives they agree."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions
from bot.domain.actor import Actor
from bot.domain.errors import InvalidInput
from bot.domain.permissions import check_can_record_objectives
from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.domain.start_and_objectives import ObjectivesRecorded
from bot.domain.states import APPROVED_OR_UNDERWAY, Status
from bot.domain.terms import LONG_TEXT_MAX
from bot.models import Secondment
from bot.services.audit import record_event
from bot.services.loading import load_record, load_visible
from bot.services.outbox import Announce, said
from bot.services.replanning import replan


async def activate(
    session: AsyncSession, record: SecondmentRecord, round_: int, policy: Policy, now: datetime
) -> bool:
    """Make an approved secondment active, in the caller's transaction; only once, and only if
    nothing changed since the start was planned (the same round)."""
    result = await session.execute(
        update(Secondment)
        .where(
            Secondment.id == record.id,
            Secondment.status == Status.APPROVED,
            Secondment.round == round_,
        )
        .values(status=Status.ACTIVE, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    record_event(
        session,
        secondment_id=record.id,
        actor_id="bot",
        action="started",
        terms_version=record.terms_version,
        at=now,
        start_date=record.terms.start_date.isoformat(),
    )
    await replan(session, record.id, policy, now)
    return True


async def record_objectives(
    sessions: Sessions,
    *,
    actor: Actor,
    secondment_id: int,
    text: str,
    source_key: str,
    announce: Announce[ObjectivesRecorded],
) -> ObjectivesRecorded:
    """Record the objectives the employee and host manager agree, once per submitted form."""
    text = _checked(text)
    async with sessions.begin() as session:
        record = await load_visible(
            session, actor.team_id, secondment_id, actor.user_id, actor.policy
        )
        check_can_record_objectives(record, actor.user_id)
        result = await session.execute(
            update(Secondment)
            .where(
                Secondment.id == secondment_id,
                Secondment.status.in_(APPROVED_OR_UNDERWAY),
                # The same submission twice (a retry) sets them once.
                or_(Secondment.objectives_key.is_(None), Secondment.objectives_key != source_key),
            )
            .values(
                agreed_objectives=text,
                objectives_set_by=actor.user_id,
                objectives_set_at=actor.now,
                objectives_key=source_key,
                updated_at=actor.now,
            )
            .execution_options(synchronize_session=False)
        )
        is_new = result.rowcount == 1  # type: ignore[attr-defined]
        if is_new:
            record_event(
                session,
                secondment_id=secondment_id,
                actor_id=actor.user_id,
                action="objectives_recorded",
                terms_version=record.terms_version,
                at=actor.now,
                objectives=text,
            )
        updated = await load_record(session, actor.team_id, secondment_id, actor.policy)
        assert updated is not None
        recorded = ObjectivesRecorded(updated, actor.user_id, is_new)
        return await said(session, announce, recorded, secondment_id, actor.now)


def _checked(text: str) -> str:
    """The objectives as written, trimmed; or InvalidInput if empty or too long."""
    text = text.strip()
    if not text:
        raise InvalidInput({"objectives": "Write the objectives and deliverables you agree."})
    if len(text) > LONG_TEXT_MAX:
        raise InvalidInput({"objectives": f"Keep this to {LONG_TEXT_MAX} characters or fewer."})
    return text
