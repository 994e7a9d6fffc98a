"""After any change to a request: bring what derives from its state into step, in the same
transaction. Nudges are re-planned and escalations whose wait is over are closed."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import true, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.models import Escalation, Secondment
from bot.services.loading import Loaded, load_secondment, record_of
from bot.services.nudges import reconcile_nudges


async def replan(
    session: AsyncSession, secondment_id: int, policy: Policy, now: datetime
) -> Secondment:
    """Re-plan the request's nudges and close escalations that no longer wait; return the row."""
    loaded = await load_secondment(session, Secondment.id == secondment_id)
    assert loaded is not None
    return (await replan_loaded(session, loaded, policy, now)).row


async def replanned_record(
    session: AsyncSession, team_id: str, secondment_id: int, policy: Policy, now: datetime
) -> SecondmentRecord:
    """`replan`, then the record as it now stands, reading the secondment once for both."""
    loaded = await load_secondment(
        session, Secondment.id == secondment_id, Secondment.team_id == team_id
    )
    assert loaded is not None
    return await record_of(session, await replan_loaded(session, loaded, policy, now), policy)


async def replan_loaded(
    session: AsyncSession, loaded: Loaded, policy: Policy, now: datetime
) -> Loaded:
    """`replan` for a secondment already read in this transaction after its change; returns it
    with the escalations still open."""
    await reconcile_nudges(session, loaded, policy, now, known_tz=loaded.timezones)
    # Escalations wait on decisions: with none awaited, or a new round begun, they are over.
    row = loaded.row
    deciding = row.status.awaits_decisions or row.status.is_blocked
    if not loaded.open_escalations or (deciding and row.round == 1):
        return loaded  # none open, or the first round: none whose wait could be over
    over = Escalation.round < row.round if deciding else true()
    closed = set(
        await session.scalars(
            update(Escalation)
            .where(Escalation.secondment_id == row.id, Escalation.resolved_at.is_(None), over)
            .values(resolved_at=now)
            .returning(Escalation.id)
            .execution_options(synchronize_session=False)
        )
    )
    still_open = tuple(e for e in loaded.open_escalations if e.id not in closed)
    return replace(loaded, open_escalations=still_open)
