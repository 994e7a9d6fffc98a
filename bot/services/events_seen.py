"""Each Events API delivery acted on once: its `event_id` is written when it first arrives, and a
delivery whose id is already there is a retry (Slack retries an event it thinks went unanswered,
and with two replicas the retry may reach the other one). Ids are kept for `KEPT_FOR`."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete

from bot.db import Sessions, insert_into
from bot.models import SlackEventSeen

# Slack retries an event three times within about an hour; a day covers a slow retry too.
KEPT_FOR = timedelta(days=1)


async def first_delivery(sessions: Sessions, *, event_id: str, now: datetime) -> bool:
    """Record the event as handled; False when it already was (this is a retry)."""
    async with sessions.begin() as session:
        result = await session.execute(
            insert_into(session, SlackEventSeen)
            .values(event_id=event_id, received_at=now)
            .on_conflict_do_nothing(index_elements=["event_id"])
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def forget_seen_events(sessions: Sessions, *, now: datetime) -> int:
    """Drop the ids of events older than `KEPT_FOR`; returns how many went."""
    async with sessions.begin() as session:
        result = await session.execute(
            delete(SlackEventSeen).where(SlackEventSeen.received_at < now - KEPT_FOR)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
