"""Time away's hand-overs, hammered directly at the service as separate processes would: sweeps
side by side, and a cancellation racing them, hand each side over (and back) once."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import make_sessions
from bot.domain.absences import AbsenceForm
from bot.domain.people import Person
from bot.domain.policy import Policy
from bot.models import AuditEvent, AwayHandover, Secondment
from bot.services.absences import add_absence, cancel_absence
from bot.services.away_handover import sweep_absences
from bot.services.outbox import quiet
from bot.services.requests import NewRequest, create_request
from tests.support.actors import as_actor
from tests.support.samples import TERMS

TEAM, HOME, HOST, DEPUTY = "T1", "UHOME", "UHOST", "UDEPUTY"
NOW = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)  # Monday
TUESDAY_NINE = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
POLICY = Policy()


async def _requests(engine: AsyncEngine, count: int) -> list[int]:
    ids = []
    for n in range(count):
        request = NewRequest(f"away-{n}", TEAM, f"UEMP{n}", HOME, HOST, TERMS)
        created = await create_request(make_sessions(engine), request, policy=POLICY, now=NOW)
        ids.append(created.record.id)
    return ids


async def _away_from_tuesday(engine: AsyncEngine) -> int:
    changed = await add_absence(
        make_sessions(engine),
        person=Person(HOME, tz="Europe/London"),
        form=AbsenceForm(date(2027, 1, 5), date(2027, 1, 8), DEPUTY),
        delegate=Person(DEPUTY),
        announce=quiet,
        actor=as_actor(HOME, team=TEAM, now=NOW, policy=POLICY),
    )
    (away,) = changed.ahead
    return away.id


async def _handed_events(engine: AsyncEngine) -> list[tuple[int, object]]:
    async with make_sessions(engine)() as session:
        rows = await session.execute(
            select(AuditEvent.secondment_id, AuditEvent.detail).where(
                AuditEvent.action == "home_delegated"
            )
        )
        return [
            (secondment, detail.get("delegate_id"))
            for secondment, detail in rows
            if secondment is not None
        ]


async def test_sweeps_side_by_side_hand_each_side_over_once(engine: AsyncEngine) -> None:
    ids = await _requests(engine, 6)
    await _away_from_tuesday(engine)

    await asyncio.gather(
        *(sweep_absences(make_sessions(engine), quiet, POLICY, TUESDAY_NINE) for _ in range(4))
    )

    assert sorted(await _handed_events(engine)) == [(i, DEPUTY) for i in ids]
    async with make_sessions(engine)() as session:
        assert await session.scalar(select(func.count()).select_from(AwayHandover)) == len(ids)
        delegates = await session.scalars(select(Secondment.home_delegate_id))
        assert set(delegates) == {DEPUTY}


async def test_a_cancellation_racing_the_sweeps_leaves_every_side_with_its_manager(
    engine: AsyncEngine,
) -> None:
    ids = await _requests(engine, 6)
    absence_id = await _away_from_tuesday(engine)

    await asyncio.gather(
        sweep_absences(make_sessions(engine), quiet, POLICY, TUESDAY_NINE),
        cancel_absence(
            make_sessions(engine),
            absence_id=absence_id,
            announce=quiet,
            actor=as_actor(HOME, team=TEAM, now=TUESDAY_NINE, policy=POLICY),
        ),
        sweep_absences(make_sessions(engine), quiet, POLICY, TUESDAY_NINE),
    )
    # Whatever the order, a sweep after both finds nothing left to give back or hand over.
    await sweep_absences(make_sessions(engine), quiet, POLICY, TUESDAY_NINE)

    async with make_sessions(engine)() as session:
        delegates = set(await session.scalars(select(Secondment.home_delegate_id)))
    assert delegates == {None}
    events = await _handed_events(engine)
    handed = sorted(i for i, to in events if to == DEPUTY)
    back = sorted(i for i, to in events if to is None)
    assert handed == back and set(handed) <= set(ids)  # each handed over came back, once
