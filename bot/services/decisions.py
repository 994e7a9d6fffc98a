"""Decisions on a side of a request, or of an end-of-term proposal (an extension or a permanent
move, bot.services.end_of_term): the first decision (approve, or block with a reason), a
blocking manager reconsidering, and HR overriding a block where policy allows. When both sides
approve a proposal, its terms come into force in the same statement.

Each is one conditional UPDATE. It only matches while the request and the side are in the state
the move starts from, the terms are the version the person saw, and the actor may make the move;
the new status is computed in the same statement from the other side's state. So a double click,
a Slack retry or two people at once can never produce two effects: the database serialises the
row and exactly one statement matches. When nothing matches, the row is read to explain why;
when it matches, the secondment is read once, brought into step, and its record built from what
was read and the decision just made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
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

from bot.db import Sessions
from bot.domain.block_reasons import BlockDetails
from bot.domain.errors import (
    AlreadyDecided,
    InvalidInput,
    NoLongerPending,
    NotBlocked,
    NotFound,
    NotYourSide,
    OnlyHr,
    OverrideNotAllowed,
    PartOfTheRequest,
    TermsChanged,
    UnreadableReference,
    reference_number,
)
from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.domain.states import (
    DecisionKind,
    EndOutcome,
    Outcome,
    ProposalKind,
    Side,
    SideState,
    Status,
)
from bot.models import Decision, Secondment
from bot.services.audit import event_row, record_events
from bot.services.loading import load_record, load_secondment, record_of
from bot.services.outbox import Announce, said
from bot.services.replanning import replan_loaded


@dataclass(frozen=True, slots=True)
class DecisionRef:
    """What a decision button or modal carries: the request, the side, the terms version."""

    secondment_id: int
    side: Side
    terms_version: int

    def encode(self) -> str:
        return f"{self.secondment_id}:{self.side.value}:{self.terms_version}"

    @classmethod
    def decode(cls, value: str) -> DecisionRef:
        """The reference `encode` wrote; `UnreadableReference` for anything else."""
        parts = value.split(":")
        if len(parts) != 3 or parts[1] not in {s.value for s in Side}:
            raise UnreadableReference()
        return cls(reference_number(parts[0]), Side(parts[1]), reference_number(parts[2]))


class Move(Enum):
    DECIDE = "decide"  # a pending side, on a pending request or proposal
    RECONSIDER = "reconsider"  # the blocked side, by its own decider
    OVERRIDE = "override"  # the blocked side, by HR

    @property
    def starts_from(self) -> tuple[tuple[Status, ...], SideState]:
        if self is Move.DECIDE:
            return (Status.PENDING, Status.PROPOSAL_PENDING), SideState.PENDING
        return (Status.BLOCKED, Status.PROPOSAL_BLOCKED), SideState.BLOCKED

    @property
    def kind(self) -> DecisionKind:
        return {
            Move.DECIDE: DecisionKind.DECIDED,
            Move.RECONSIDER: DecisionKind.RECONSIDERED,
            Move.OVERRIDE: DecisionKind.HR_OVERRIDE,
        }[self]


@dataclass(frozen=True, slots=True)
class DecisionMade:
    record: SecondmentRecord
    side: Side
    outcome: Outcome
    actor_id: str
    version: int  # the terms version decided
    kind: DecisionKind = DecisionKind.DECIDED
    on_behalf_of: str | None = None

    @property
    def completed_approval(self) -> bool:
        return self.outcome is Outcome.APPROVED and self.record.status is Status.APPROVED

    @property
    def agreed_proposal(self) -> bool:
        """Both managers now agree an end-of-term proposal: its terms are in force."""
        return self.outcome is Outcome.APPROVED and self.record.status is Status.ACTIVE


async def check_move(
    sessions: Sessions,
    *,
    team_id: str,
    ref: DecisionRef,
    actor_id: str,
    move: Move | None,
    policy: Policy,
    actor_is_hr: bool = False,
) -> SecondmentRecord:
    """Raise the refusal the move would meet now; used before opening its modal. With no move,
    whichever fits the state: approving with conditions answers a block or a pending request."""
    async with sessions.begin() as session:
        record = await load_record(session, team_id, ref.secondment_id, policy)
    if move is None:
        blocked = record is not None and record.status.is_blocked
        move = Move.RECONSIDER if blocked else Move.DECIDE
    _explain(record, ref, actor_id, move, policy, actor_is_hr)
    assert record is not None
    return record


async def decide(
    sessions: Sessions,
    *,
    team_id: str,
    ref: DecisionRef,
    actor_id: str,
    outcome: Outcome,
    announce: Announce[DecisionMade],
    policy: Policy,
    now: datetime,
    block: BlockDetails | None = None,
    actor_is_hr: bool = False,
) -> DecisionMade:
    """A decider's first decision on their side: approve, or block with its reason.
    `actor_is_hr`: the actor is HR, who decides a side whose decider's account was
    deactivated."""
    assert (outcome is Outcome.BLOCKED) == (block is not None), "a block needs its reason"
    return await _make(
        sessions,
        team_id,
        ref,
        actor_id,
        Move.DECIDE,
        outcome,
        announce,
        policy,
        now,
        block=block,
        actor_is_hr=actor_is_hr,
    )


async def reconsider(
    sessions: Sessions,
    *,
    team_id: str,
    ref: DecisionRef,
    actor_id: str,
    announce: Announce[DecisionMade],
    policy: Policy,
    now: datetime,
) -> DecisionMade:
    """The side's decider lifts their block and approves the same terms."""
    return await _make(
        sessions, team_id, ref, actor_id, Move.RECONSIDER, Outcome.APPROVED, announce, policy, now
    )


async def override(
    sessions: Sessions,
    *,
    team_id: str,
    ref: DecisionRef,
    actor_id: str,
    justification: str,
    actor_is_hr: bool,
    announce: Announce[DecisionMade],
    policy: Policy,
    now: datetime,
) -> DecisionMade:
    """HR lifts a block, with a recorded justification, where the policy allows it."""
    justification = justification.strip()
    if len(justification) < policy.block_reason_min_chars:
        raise InvalidInput(
            {
                "text": f"Justify the override in at least "
                f"{policy.block_reason_min_chars} characters."
            }
        )
    return await _make(
        sessions,
        team_id,
        ref,
        actor_id,
        Move.OVERRIDE,
        Outcome.APPROVED,
        announce,
        policy,
        now,
        justification=justification,
        actor_is_hr=actor_is_hr,
    )


async def _make(
    sessions: Sessions,
    team_id: str,
    ref: DecisionRef,
    actor_id: str,
    move: Move,
    outcome: Outcome,
    announce: Announce[DecisionMade],
    policy: Policy,
    now: datetime,
    *,
    block: BlockDetails | None = None,
    justification: str | None = None,
    actor_is_hr: bool = False,
) -> DecisionMade:
    async with sessions.begin() as session:
        allowed = move is not Move.OVERRIDE or (actor_is_hr and policy.hr_can_override)
        claimed = allowed and await _claim(
            session, team_id, ref, actor_id, move, outcome, now, actor_is_hr
        )
        if not claimed:
            refused = await load_record(session, team_id, ref.secondment_id, policy)
            _explain(refused, ref, actor_id, move, policy, actor_is_hr)
            raise AssertionError("a refused move always has an explanation")
        loaded = await load_secondment(session, Secondment.id == ref.secondment_id)
        assert loaded is not None
        loaded = await replan_loaded(session, loaded, policy, now)
        row = loaded.row
        manager = row.manager_of(ref.side)
        on_behalf_of = manager if actor_id != manager else None
        decision = Decision(
            secondment_id=ref.secondment_id,
            side=ref.side,
            terms_version=ref.terms_version,
            outcome=outcome,
            kind=move.kind,
            decided_by=actor_id,
            on_behalf_of=on_behalf_of,
            reason=block.reason if block else None,
            explanation=block.explanation if block else justification,
            conditions=[c.value for c in block.conditions] if block else None,
            conditions_note=block.conditions_note if block else None,
            created_at=now,
        )
        session.add(decision)
        detail: dict[str, Any] = {"side": ref.side.value, "on_behalf_of": on_behalf_of}
        if block:
            detail |= {"reason": block.reason.value, "explanation": block.explanation}
        if justification:
            detail["justification"] = justification
        action = {
            Move.DECIDE: f"{ref.side.value}_{outcome.value}",
            Move.RECONSIDER: f"{ref.side.value}_reconsidered",
            Move.OVERRIDE: f"{ref.side.value}_block_overridden",
        }[move]

        def event(action: str, **detail: Any) -> dict[str, Any]:
            return event_row(
                secondment_id=ref.secondment_id,
                actor_id=actor_id,
                action=action,
                terms_version=ref.terms_version,
                at=now,
                **detail,
            )

        events = [event(action, **detail)]
        if row.status in (Status.APPROVED, Status.ACTIVE):
            # ACTIVE is reached only by agreeing a proposal; a permanent one sets the outcome.
            agreed = {
                Status.APPROVED: "approved",
                Status.ACTIVE: "permanent_move_agreed"
                if row.outcome is EndOutcome.PERMANENT
                else "extension_agreed",
            }[row.status]
            events.append(event(agreed))
        await record_events(session, events)  # the decision and its outcome: one INSERT
        await session.flush()
        # The decision just made is the latest on its side, on the terms now being decided.
        record = await record_of(session, loaded, policy, decided={ref.side: decision})
        made = DecisionMade(
            record, ref.side, outcome, actor_id, ref.terms_version, move.kind, on_behalf_of
        )
        return await said(session, announce, made, record.id, now)


async def _claim(
    session: AsyncSession,
    team_id: str,
    ref: DecisionRef,
    actor_id: str,
    move: Move,
    outcome: Outcome,
    now: datetime,
    actor_is_hr: bool,
) -> bool:
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
    home = side is Side.HOME
    state = t.home_state if home else t.host_state
    other_state = t.host_state if home else t.home_state
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
        manager, delegate = (
            (t.home_manager_id, t.home_delegate_id)
            if home
            else (t.host_manager_id, t.host_delegate_id)
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
        conditions.append(or_(manager == actor_id, delegate == actor_id, as_hr))
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
    else:
        # With an exception to HR's rules asked, HR approves too (bot/services/exceptions.py).
        hr_agrees = or_(t.hr_state.is_(None), t.hr_state == SideState.APPROVED.value)
        both = and_(other_state == SideState.APPROVED.value, hr_agrees)
        agreed = and_(both, proposal)
        values |= {
            t.status: case(
                (agreed, Status.ACTIVE.value),
                (both, Status.APPROVED.value),
                (proposal, Status.PROPOSAL_PENDING.value),
                else_=Status.PENDING.value,
            ),
            **proposal_settled(agreed),
        }
    if move is not Move.DECIDE:
        # Lifting a block starts a new wait for the other side's decision.
        values |= {t.round: t.round + 1, t.round_started_at: now}
    return update(cast(Table, Secondment.__table__)).where(*conditions).values(values)


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


def _explain(
    record: SecondmentRecord | None,
    ref: DecisionRef,
    actor_id: str,
    move: Move,
    policy: Policy,
    actor_is_hr: bool,
) -> None:
    """Raise the refusal explaining why `actor_id` cannot make `move`; return if they can."""
    if record is None:
        raise NotFound(ref.secondment_id)
    side = record.side(ref.side)
    if move is Move.OVERRIDE:
        if not actor_is_hr:
            raise OnlyHr("override a block")
        if not policy.hr_can_override:
            raise OverrideNotAllowed()
    elif not side.may_decide(actor_id, is_hr=actor_is_hr):
        raise NotYourSide(ref.side, side.manager_id, side.delegate_id, side.hr_decides)
    elif actor_id not in (side.manager_id, side.delegate_id) and (
        actor_id == record.employee_id or record.side(ref.side.other).may_decide(actor_id)
    ):
        raise PartOfTheRequest(ref.side)
    if record.deciding_version != ref.terms_version:
        raise TermsChanged(ref.terms_version, record.deciding_version)
    from_statuses, from_state = move.starts_from
    if side.state is not from_state:
        if side.state is not SideState.PENDING and side.decided_by and side.decided_at:
            raise AlreadyDecided(ref.side, side.state, side.decided_by, side.decided_at)
        raise NotBlocked(ref.side)
    if record.status not in from_statuses:
        raise NoLongerPending(record.status)
