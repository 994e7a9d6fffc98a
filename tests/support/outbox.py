"""Service tests without Slack: what the delivery would do with a new request's thread."""

from __future__ import annotations

from sqlalchemy import delete, update

from bot.db import Sessions
from bot.domain.kinds import NudgeKind
from bot.models import Nudge, Secondment


async def thread_opened(sessions: Sessions, secondment_id: int) -> None:
    """As if the delivery had opened the request's approval thread: the thread is remembered
    and the outbox row that asked for it is gone, so these tests see only the timed nudges."""
    async with sessions.begin() as session:
        await session.execute(
            update(Secondment)
            .where(Secondment.id == secondment_id)
            .values(channel_id="G0THREAD", thread_ts=f"1800000000.{secondment_id:06d}")
        )
        await session.execute(
            delete(Nudge).where(
                Nudge.secondment_id == secondment_id, Nudge.kind == NudgeKind.THREAD_OPEN
            )
        )
