"""The conditional UPDATE that makes a move on a side once (docs/DESIGN.md, decision 4): it
matches only while the request and the side are in the state the move starts from, the terms
are the version the person saw, and the actor may make the move; the new status is computed in
the same statement from the other side's state (and HR's, where an exception to its rules was
asked). So a double click, a Slack retry or two people at once can never produce two effects:
the database serialises the row and exactly one statement matches.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Table,
    Update,
    and_,
    bindparam,
    case,
    func,
    null,
    or_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter

from bot.domain.decisions import DecisionRef, Move
from bot.domain.states import EndOutcome, Outcome, ProposalKind, Side, SideState, Status
from bot.models import Secondment


async def claim(
    session: AsyncSession,
    team_id: str,
    ref: DecisionRef,
    actor_id: str,
    move: Move,
    outcome: Outcome,
    now: datetime,
    actor_is_hr: bool,
) -> bool:
    """Make the move on the side if it may be made now; False if nothing matched."""
    result = await session.execute(
        _claim_statement(ref.side, move, outcome),
        {
            "claim_id": ref.secondment_id,
            "claim_team": team_id,
            "claim_version": ref.terms_version,
            "claim_actor": actor_id,
            "claim_now": now,
            "claim_hr": actor_is_hr,
        },
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


@cache
def _claim_statement(side: Side, move: Move, outcome: Outcome) -> Update:
    """The conditional UPDATE of a move, built once for each side, move and outcome (building
    it took longer than running it); the request, actor and time are bound when it runs, under
    names of their own (a column's name is taken, in an UPDATE, for its new value)."""
    t = Secondment.__table__.c
    state = t.home_state if side is Side.HOME else t.host_state
    from_statuses, from_state = move.starts_from
    actor_id = bindparam("claim_actor", type_=t.employee_id.type)
    now = bindparam("claim_now", type_=t.updated_at.type)  # the column's type stores it as UTC
    conditions = [
        t.id == bindparam("claim_id"),
        t.team_id == bindparam("claim_team"),
        t.status.in_([s.value for s in from_statuses]),
        state == from_state.value,
        func.coalesce(t.proposal_version, t.terms_version) == bindparam("claim_version"),
    ]
    if move is not Move.OVERRIDE:
        conditions.append(_may_decide(side, actor_id))
    values = _decided(side, outcome, actor_id, now)
    if move is not Move.DECIDE:
        # Lifting a block starts a new wait for the other side's decision.
        values |= {t.round: t.round + 1, t.round_started_at: now}
    return update(cast(Table, Secondment.__table__)).where(*conditions).values(values)


def _may_decide(side: Side, actor_id: BindParameter[Any]) -> ColumnElement[bool]:
    """The actor decides the side: its manager, their delegate, or HR as the fallback
    approver."""
    t = Secondment.__table__.c
    home = side is Side.HOME
    manager, delegate = (
        (t.home_manager_id, t.home_delegate_id) if home else (t.host_manager_id, t.host_delegate_id)
    )
    # HR decides a side whose decider's account was deactivated (the fallback approver):
    # not HR who is the employee, or who decides the other side.
    to_hr = t.home_to_hr_at if home else t.host_to_hr_at
    other_manager = t.host_manager_id if home else t.home_manager_id
    other_delegate = t.host_delegate_id if home else t.home_delegate_id
    as_hr = and_(
        to_hr.is_not(None),
        bindparam("claim_hr", type_=Boolean()),
        t.employee_id != actor_id,
        other_manager != actor_id,
        func.coalesce(other_delegate, "") != actor_id,
    )
    return or_(manager == actor_id, delegate == actor_id, as_hr)


def _decided(
    side: Side, outcome: Outcome, actor_id: BindParameter[Any], now: BindParameter[Any]
) -> dict[Any, Any]:
    """The values of the side decided, and the request's status that follows from both sides'
    (and HR's) states."""
    t = Secondment.__table__.c
    home = side is Side.HOME
    state = t.home_state if home else t.host_state
    other_state = t.host_state if home else t.home_state
    proposal = t.proposal_version.is_not(None)
    values: dict[Any, Any] = {
        state: outcome.value,
        t.home_decided_by if home else t.host_decided_by: actor_id,
        t.home_decided_at if home else t.host_decided_at: now,
        t.updated_at: now,
    }
    if outcome is Outcome.BLOCKED:
        values[t.status] = case(
            (proposal, Status.PROPOSAL_BLOCKED.value), else_=Status.BLOCKED.value
        )
        return values
    # With an exception to HR's rules asked, HR approves too (bot/services/exceptions.py).
    hr_agrees = or_(t.hr_state.is_(None), t.hr_state == SideState.APPROVED.value)
    both = and_(other_state == SideState.APPROVED.value, hr_agrees)
    agreed = and_(both, proposal)
    return values | {
        t.status: case(
            (agreed, Status.ACTIVE.value),
            (both, Status.APPROVED.value),
            (proposal, Status.PROPOSAL_PENDING.value),
            else_=Status.PENDING.value,
        ),
        **proposal_settled(agreed),
    }


def proposal_settled(agreed: ColumnElement[bool]) -> dict[Any, Any]:
    """The values that, where `agreed`, bring an agreed proposal's terms into force (and a
    permanent move's outcome) and settle the proposal; elsewhere they change nothing."""
    t = Secondment.__table__.c
    return {
        t.terms_version: case((agreed, t.proposal_version), else_=t.terms_version),
        t.outcome: case(
            (
                and_(agreed, t.proposal_kind == ProposalKind.PERMANENT.value),
                EndOutcome.PERMANENT.value,
            ),
            else_=t.outcome,
        ),
        t.proposal_kind: case((agreed, null()), else_=t.proposal_kind),
        t.proposed_by: case((agreed, null()), else_=t.proposed_by),
        t.proposal_version: case((agreed, null()), else_=t.proposal_version),
    }
