"""The end-of-term decision (docs/DOMAIN.md friction 6): return, extend, or move permanently.

A return is what the terms already say, so any of the three may confirm it; it closes a
proposal still being decided. An extension or a permanent move changes the terms: it is
proposed as a new version (bot/services/proposals.py) that both managers decide like a
request. An early end (bot/services/early_end.py) and HR's refusal of an extension close a
proposal too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions
from bot.domain.actor import Actor
from bot.domain.end_of_term import ReturnConfirmedEvent
from bot.domain.errors import NoLongerPending
from bot.domain.permissions import check_can_confirm_return
from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.models import Secondment
from bot.services.audit import record_event
from bot.services.loading import load_record, load_visible
from bot.services.outbox import Announce, said
from bot.services.replanning import replan
from bot.services.terms_versions import closing_proposal


async def confirm_return(
    sessions: Sessions,
    *,
    actor: Actor,
    secondment_id: int,
    announce: Announce[ReturnConfirmedEvent],
) -> ReturnConfirmedEvent:
    """The return as the terms say, confirmed by one of the three; it closes a proposal still
    being decided."""
    async with sessions.begin() as session:
        before = await load_visible(
            session, actor.team_id, secondment_id, actor.user_id, actor.policy
        )
        check_can_confirm_return(before, actor.user_id)
        await _claim_return(session, before, actor.user_id, actor.policy, actor.now)
        closed = before.proposal.kind if before.proposal else None
        record_event(
            session,
            secondment_id=secondment_id,
            actor_id=actor.user_id,
            action="return_confirmed",
            terms_version=before.terms_version,
            at=actor.now,
            closed_proposal=closed.value if closed else None,
        )
        await session.flush()
        await replan(session, secondment_id, actor.policy, actor.now)
        record = await load_record(session, actor.team_id, secondment_id, actor.policy)
        assert record is not None
        confirmed = ReturnConfirmedEvent(record, actor.user_id, closed)
        return await said(session, announce, confirmed, secondment_id, actor.now)


async def _claim_return(
    session: AsyncSession, before: SecondmentRecord, actor_id: str, policy: Policy, now: datetime
) -> None:
    """The return confirmed, once, closing an open proposal; or the refusal that explains why
    not."""
    t = Secondment.__table__.c
    values: dict[Any, Any] = {
        t.return_confirmed_by: actor_id,
        t.return_confirmed_at: now,
        t.updated_at: now,
    }
    if before.proposal is not None:
        values |= await closing_proposal(session, before.id, before.terms_version)
    result = await session.execute(
        update(Secondment)
        .where(
            t.id == before.id,
            t.status == before.status.value,
            t.round == before.round,
            t.return_confirmed_by.is_(None),
            t.outcome.is_(None),
        )
        .values(values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        now_stored = await load_visible(session, before.team_id, before.id, actor_id, policy)
        check_can_confirm_return(now_stored, actor_id)
        raise NoLongerPending(now_stored.status)
