"""A manager's decision on their side: approve, or block with a recorded reason.

The decision is one conditional UPDATE. It only matches while the request is pending, this side is
undecided, the terms are the version the manager saw, and the actor is this side's manager; the
new status is computed in the same statement from the other side's state. So a double click, a
Slack retry or both managers at once can never produce two effects: the database serialises the
row and exactly one statement matches. When nothing matches, the row is read to explain why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions
from bot.domain.blocks import BlockDetails
from bot.domain.errors import (
    AlreadyDecided,
    NoLongerPending,
    NotFound,
    NotYourSide,
    Refusal,
    TermsChanged,
)
from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.domain.states import Outcome, Side, SideState, Status
from bot.models import Decision, Secondment
from bot.services.audit import record_event
from bot.services.loading import load_record


@dataclass(frozen=True, slots=True)
class DecisionRef:
    """What a decision button or the block modal carries: the request, the side, the version."""

    secondment_id: int
    side: Side
    terms_version: int

    def encode(self) -> str:
        return f"{self.secondment_id}:{self.side.value}:{self.terms_version}"

    @classmethod
    def decode(cls, value: str) -> DecisionRef:
        secondment_id, side, version = value.split(":")
        return cls(int(secondment_id), Side(side), int(version))


@dataclass(frozen=True, slots=True)
class DecisionMade:
    record: SecondmentRecord
    side: Side
    outcome: Outcome
    actor_id: str

    @property
    def completed_approval(self) -> bool:
        return self.outcome is Outcome.APPROVED and self.record.status is Status.APPROVED


async def check_can_decide(
    sessions: Sessions, *, team_id: str, ref: DecisionRef, actor_id: str, policy: Policy
) -> SecondmentRecord:
    """Raise the refusal a decision by `actor_id` would meet now; used before opening a modal."""
    async with sessions.begin() as session:
        record = await load_record(session, team_id, ref.secondment_id, policy)
    _explain(record, ref, actor_id)
    assert record is not None
    return record


async def decide(
    sessions: Sessions,
    *,
    team_id: str,
    ref: DecisionRef,
    actor_id: str,
    outcome: Outcome,
    policy: Policy,
    now: datetime,
    block: BlockDetails | None = None,
) -> DecisionMade:
    assert (outcome is Outcome.BLOCKED) == (block is not None), "a block needs its reason"
    async with sessions.begin() as session:
        if not await _claim_side(session, team_id, ref, actor_id, outcome, now):
            record = await load_record(session, team_id, ref.secondment_id, policy)
            _explain(record, ref, actor_id)
            raise AssertionError("a refused decision always has an explanation")
        session.add(
            Decision(
                secondment_id=ref.secondment_id,
                side=ref.side,
                terms_version=ref.terms_version,
                outcome=outcome,
                decided_by=actor_id,
                reason=block.reason if block else None,
                explanation=block.explanation if block else None,
                conditions=[c.value for c in block.conditions] if block else None,
                conditions_note=block.conditions_note if block else None,
                created_at=now,
            )
        )
        detail = {"side": ref.side.value}
        if block:
            detail |= {"reason": block.reason.value, "explanation": block.explanation}
        record_event(
            session,
            secondment_id=ref.secondment_id,
            actor_id=actor_id,
            action=f"{ref.side.value}_{outcome.value}",
            terms_version=ref.terms_version,
            at=now,
            **detail,
        )
        await session.flush()
        record = await load_record(session, team_id, ref.secondment_id, policy)
        assert record is not None
        if record.status is Status.APPROVED and outcome is Outcome.APPROVED:
            record_event(
                session,
                secondment_id=ref.secondment_id,
                actor_id=actor_id,
                action="approved",
                terms_version=ref.terms_version,
                at=now,
            )
    return DecisionMade(record=record, side=ref.side, outcome=outcome, actor_id=actor_id)


async def _claim_side(
    session: AsyncSession,
    team_id: str,
    ref: DecisionRef,
    actor_id: str,
    outcome: Outcome,
    now: datetime,
) -> bool:
    table = Secondment.__table__.c
    state, by, at, manager = (
        (table.home_state, table.home_decided_by, table.home_decided_at, table.home_manager_id)
        if ref.side is Side.HOME
        else (table.host_state, table.host_decided_by, table.host_decided_at, table.host_manager_id)
    )
    other_state = table.host_state if ref.side is Side.HOME else table.home_state
    if outcome is Outcome.BLOCKED:
        new_status: object = Status.BLOCKED.value
    else:
        new_status = case(
            (other_state == SideState.APPROVED.value, Status.APPROVED.value),
            else_=Status.PENDING.value,
        )
    result = await session.execute(
        update(Secondment)
        .where(
            table.id == ref.secondment_id,
            table.team_id == team_id,
            table.status == Status.PENDING.value,
            table.terms_version == ref.terms_version,
            state == SideState.PENDING.value,
            manager == actor_id,
        )
        .values(
            {
                state: outcome.value,
                by: actor_id,
                at: now,
                table.status: new_status,
                table.updated_at: now,
            }
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _explain(record: SecondmentRecord | None, ref: DecisionRef, actor_id: str) -> None:
    """Raise the refusal explaining why `actor_id` cannot decide `ref`; return if they can."""
    if record is None:
        raise NotFound(ref.secondment_id)
    side = record.side(ref.side)
    if actor_id != side.manager_id:
        raise NotYourSide(ref.side, side.manager_id)
    refusal: Refusal | None = None
    if side.state is not SideState.PENDING and side.decided_by and side.decided_at:
        refusal = AlreadyDecided(ref.side, side.state, side.decided_by, side.decided_at)
    elif record.status is not Status.PENDING:
        refusal = NoLongerPending(record.status)
    elif record.terms_version != ref.terms_version:
        refusal = TermsChanged(ref.terms_version, record.terms_version)
    if refusal is not None:
        raise refusal
