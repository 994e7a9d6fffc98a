"""After any change to a request: bring what derives from its state into step, in the same
transaction. Nudges are re-planned and escalations whose wait is over are closed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.policy import Policy
from bot.models import Escalation, Secondment
from bot.services.nudges import reconcile_nudges


async def settle(
    session: AsyncSession, secondment_id: int, policy: Policy, now: datetime
) -> Secondment:
    """Re-plan the request's nudges and close escalations that no longer wait; return the row."""
    row = await session.scalar(
        select(Secondment)
        .where(Secondment.id == secondment_id)
        .execution_options(populate_existing=True)
    )
    assert row is not None
    await reconcile_nudges(session, row, policy, now)
    # Escalations wait on decisions: with none awaited, or a new round begun, they are over.
    deciding = row.status.awaits_decisions or row.status.is_blocked
    over = Escalation.round < row.round if deciding else true()
    await session.execute(
        update(Escalation)
        .where(Escalation.secondment_id == secondment_id, Escalation.resolved_at.is_(None), over)
        .values(resolved_at=now)
    )
    return row
