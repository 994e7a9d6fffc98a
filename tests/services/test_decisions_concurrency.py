"""The once-only decision, hammered directly at the service: many clicks on one side, and both
sides at once on many requests, each in its own transaction, as separate app processes would."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import make_sessions
from bot.domain.decisions import DecisionMade, DecisionRef
from bot.domain.errors import AlreadyDecided
from bot.domain.policy import Policy
from bot.domain.states import Outcome, Side, Status
from bot.models import AuditEvent, Decision
from bot.services.decide import decide
from bot.services.outbox import quiet
from bot.services.requests import NewRequest, create_request
from tests.support.actors import as_actor
from tests.support.samples import TERMS

TEAM, EMPLOYEE, HOME, HOST = "T1", "UEMP", "UHOME", "UHOST"
NOW = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
POLICY = Policy()


async def _request(engine: AsyncEngine, key: str) -> int:
    request = NewRequest(key, TEAM, EMPLOYEE, HOME, HOST, TERMS)
    created = await create_request(make_sessions(engine), request, policy=POLICY, now=NOW)
    return created.record.id


async def _approve(engine: AsyncEngine, secondment_id: int, side: Side) -> DecisionMade | None:
    try:
        return await decide(
            make_sessions(engine),
            ref=DecisionRef(secondment_id, side, 1),
            outcome=Outcome.APPROVED,
            announce=quiet,
            actor=as_actor(HOME if side is Side.HOME else HOST, team=TEAM, now=NOW, policy=POLICY),
        )
    except AlreadyDecided:
        return None


async def test_ten_simultaneous_clicks_on_one_side_make_one_decision(engine: AsyncEngine) -> None:
    secondment_id = await _request(engine, "one-side")

    results = await asyncio.gather(*(_approve(engine, secondment_id, Side.HOME) for _ in range(10)))

    assert sum(result is not None for result in results) == 1
    async with make_sessions(engine)() as session:
        assert await session.scalar(select(func.count()).select_from(Decision)) == 1


async def test_both_sides_at_once_approve_every_request_exactly_once(engine: AsyncEngine) -> None:
    ids = [await _request(engine, f"both-{n}") for n in range(15)]

    results = await asyncio.gather(
        *(_approve(engine, i, side) for i in ids for side in (Side.HOME, Side.HOST))
    )

    assert all(result is not None for result in results)
    completions = [r for r in results if r is not None and r.completed_approval]
    assert sorted(r.record.id for r in completions) == ids  # one completion per request
    assert all(r.record.status is Status.APPROVED for r in completions)
    async with make_sessions(engine)() as session:
        approvals = await session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "approved")
        )
    assert approvals == len(ids)
