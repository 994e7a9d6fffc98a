"""The record of a secondment read for a change (bot/services/loading.py): the latest decision
behind each decided side comes with the one query that reads it; a side decided after that
read, or a read of other terms, is read again rather than shown stale."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.db import make_sessions
from bot.domain.policy import Policy
from bot.domain.states import DecisionKind, Outcome, Side, SideState, Status
from bot.models import Decision, Secondment
from bot.services.loading import load_secondment, record_of
from tests.support.harness import EMPLOYEE, HOME, HOST
from tests.support.seeds import AT, Spec, counting, seed

POLICY = Policy()


def _decision(
    secondment_id: int, side: Side, by: str, kind: DecisionKind, version: int = 1
) -> Decision:
    return Decision(
        secondment_id=secondment_id,
        side=side,
        terms_version=version,
        outcome=Outcome.APPROVED,
        kind=kind,
        decided_by=by,
        created_at=AT,
    )


async def _one(
    engine: AsyncEngine, host_state: SideState = SideState.PENDING
) -> tuple[int, AsyncSession]:
    sessions = make_sessions(engine)
    (secondment_id,) = await seed(sessions, [Spec(EMPLOYEE, Status.PENDING, host_state=host_state)])
    return secondment_id, sessions()


async def test_the_latest_decision_of_each_side_comes_with_the_read(engine: AsyncEngine) -> None:
    secondment_id, session = await _one(engine, host_state=SideState.APPROVED)
    async with session, session.begin():
        # An older decision on the host side, then the latest, and one on terms not in force.
        session.add_all(
            [
                _decision(secondment_id, Side.HOST, "UOLD", DecisionKind.DECIDED),
                _decision(secondment_id, Side.HOST, HOST, DecisionKind.WITH_CONDITIONS),
                _decision(secondment_id, Side.HOST, "UOTHER", DecisionKind.DECIDED, version=2),
            ]
        )
        await session.flush()
        loaded = await load_secondment(session, Secondment.id == secondment_id)
        assert loaded is not None
        with counting(engine) as statements:
            record = await record_of(session, loaded, POLICY)
    assert statements == []
    host = record.host.decision
    assert host is not None and (host.decided_by, host.kind) == (HOST, DecisionKind.WITH_CONDITIONS)
    assert record.home.decision is None


async def test_a_side_decided_after_the_read_is_read_again(engine: AsyncEngine) -> None:
    secondment_id, session = await _one(engine)
    async with session, session.begin():
        loaded = await load_secondment(session, Secondment.id == secondment_id)
        assert loaded is not None
        session.add(_decision(secondment_id, Side.HOME, HOME, DecisionKind.DECIDED))
        await session.execute(
            update(Secondment)
            .where(Secondment.id == secondment_id)
            .values(home_state=SideState.APPROVED)
            .execution_options(synchronize_session=False)
        )
        loaded.row.home_state = SideState.APPROVED  # as a change brings its row into step
        with counting(engine) as statements:
            record = await record_of(session, loaded, POLICY)
    assert len(statements) >= 1
    home = record.home.decision
    assert home is not None and home.decided_by == HOME


async def test_decisions_read_on_other_terms_are_read_again(engine: AsyncEngine) -> None:
    secondment_id, session = await _one(engine, host_state=SideState.APPROVED)
    async with session, session.begin():
        session.add(_decision(secondment_id, Side.HOST, "UOLD", DecisionKind.DECIDED))
        await session.flush()
        loaded = await load_secondment(session, Secondment.id == secondment_id)
        assert loaded is not None and Side.HOST in loaded.decisions
        # A proposal is now being decided: the host side's decision on it is the one to show.
        session.add(_decision(secondment_id, Side.HOST, HOST, DecisionKind.PROPOSED, version=2))
        loaded.row.proposal_version = 2
        await session.flush()
        record = await record_of(session, loaded, POLICY)
    host = record.host.decision
    assert host is not None and (host.decided_by, host.kind) == (HOST, DecisionKind.PROPOSED)
