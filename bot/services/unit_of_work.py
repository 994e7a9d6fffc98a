"""The transaction that opens a change to one secondment not settled by a conditional UPDATE: its
row held first, so such changes take turns, then its record read as the actor may see it
(docs/DESIGN.md, decision 5)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions
from bot.domain.actor import Actor
from bot.domain.record import SecondmentRecord
from bot.services.loading import load_visible, lock_secondment


@asynccontextmanager
async def change_to(
    sessions: Sessions, actor: Actor, secondment_id: int
) -> AsyncIterator[tuple[AsyncSession, SecondmentRecord]]:
    """A transaction holding the secondment's row (`lock_secondment`), with its record as
    `actor` may see it; committed when the block ends, rolled back if it raises."""
    async with sessions.begin() as session:
        await lock_secondment(session, secondment_id)
        record = await load_visible(
            session,
            actor.team_id,
            secondment_id,
            actor.user_id,
            actor.policy,
            actor_is_hr=actor.is_hr,
        )
        yield session, record
