"""An event id is handled once, by whichever process sees it first, and forgotten after a day."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import make_sessions
from bot.services.events_seen import KEPT_FOR, first_delivery, forget_seen_events

AT = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)


async def test_of_many_deliveries_of_one_event_at_once_exactly_one_is_first(
    engine: AsyncEngine,
) -> None:
    # Each as its own process would: its own sessions, all at the same moment.
    firsts = await asyncio.gather(
        *(first_delivery(make_sessions(engine), event_id="Ev1", now=AT) for _ in range(8))
    )

    assert sorted(firsts) == [False] * 7 + [True]


async def test_ids_are_kept_for_a_day_then_forgotten(engine: AsyncEngine) -> None:
    sessions = make_sessions(engine)
    await first_delivery(sessions, event_id="Ev-old", now=AT)
    await first_delivery(sessions, event_id="Ev-new", now=AT + timedelta(hours=12))

    assert await forget_seen_events(sessions, now=AT + KEPT_FOR + timedelta(seconds=1)) == 1
    assert await first_delivery(sessions, event_id="Ev-old", now=AT) is True
    assert await first_delivery(sessions, event_id="Ev-new", now=AT) is False
