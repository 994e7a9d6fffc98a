"""Making a move on a side of a request, or of an end-of-term proposal
(bot/services/proposals.py): a decider's first decision (bot/services/decide.py), or lifting a
block (bot/services/reconsider.py). When both sides approve a proposal, its terms come into
force in the same statement.

Each move is one conditional UPDATE (bot/services/move_claims.py), so it takes effect once.
When nothing matches, the row is read to explain why; when it matches, the secondment is read
once, brought into step, and its record built from what was read and the decision just made.
"""

from __future__ import annotations

from typing import Any

from bot.db import Sessions
from bot.domain.actor import Actor
from bot.domain.block_reasons import BlockDetails
from bot.domain.decisions import DecisionMade, DecisionRef, Move
from bot.domain.errors import (
    AlreadyDecided,
    NoLongerPending,
    NotBlocked,
    NotFound,
    NotYourSide,
    OnlyHr,
    OverrideNotAllowed,
    PartOfTheRequest,
    TermsChanged,
)
from bot.domain.record import SecondmentRecord
from bot.domain.states import EndOutcome, Outcome, SideState, Status
from bot.models import Decision, Secondment
from bot.services.audit import event_row, record_events
from bot.services.loading import load_record, load_secondment, record_of
from bot.services.move_claims import claim
from bot.services.outbox import Announce, said
from bot.services.replanning import replan_loaded


async def check_move(
    sessions: Sessions, *, actor: Actor, ref: DecisionRef, move: Move | None
) -> SecondmentRecord:
    """Raise the refusal the move would meet now; used before opening its modal. With no move,
    whichever fits the state: approving with conditions answers a block or a pending request."""
    async with sessions.begin() as session:
        record = await load_record(session, actor.team_id, ref.secondment_id, actor.policy)
    if move is None:
        blocked = record is not None and record.status.is_blocked
        move = Move.RECONSIDER if blocked else Move.DECIDE
    _explain(record, ref, actor, move)
    assert record is not None
    return record


async def make_move(
    sessions: Sessions,
    actor: Actor,
    ref: DecisionRef,
    move: Move,
    outcome: Outcome,
    announce: Announce[DecisionMade],
    *,
    block: BlockDetails | None = None,
    justification: str | None = None,
) -> DecisionMade:
    """The move made once, recorded as a decision with its audit events, and said; or the
    refusal that explains why it cannot be made."""
    async with sessions.begin() as session:
        allowed = move is not Move.OVERRIDE or (actor.is_hr and actor.policy.hr_can_override)
        claimed = allowed and await claim(
            session, actor.team_id, ref, actor.user_id, move, outcome, actor.now, actor.is_hr
        )
        if not claimed:
            refused = await load_record(session, actor.team_id, ref.secondment_id, actor.policy)
            _explain(refused, ref, actor, move)
            raise AssertionError("a refused move always has an explanation")
        loaded = await load_secondment(session, Secondment.id == ref.secondment_id)
        assert loaded is not None
        loaded = await replan_loaded(session, loaded, actor.policy, actor.now)
        row = loaded.row
        manager = row.manager_of(ref.side)
        on_behalf_of = manager if actor.user_id != manager else None
        decision = _decision(ref, actor, on_behalf_of, move, outcome, block, justification)
        session.add(decision)
        events = _events(row, ref, actor, on_behalf_of, move, outcome, block, justification)
        await record_events(session, events)  # the decision and its outcome: one INSERT
        await session.flush()
        # The decision just made is the latest on its side, on the terms now being decided.
        record = await record_of(session, loaded, actor.policy, decided={ref.side: decision})
        made = DecisionMade(
            record, ref.side, outcome, actor.user_id, ref.terms_version, move.kind, on_behalf_of
        )
        return await said(session, announce, made, record.id, actor.now)


def _decision(
    ref: DecisionRef,
    actor: Actor,
    on_behalf_of: str | None,
    move: Move,
    outcome: Outcome,
    block: BlockDetails | None,
    justification: str | None,
) -> Decision:
    """The decision's row: the move, who made it, and the block's reason or the override's
    justification."""
    return Decision(
        secondment_id=ref.secondment_id,
        side=ref.side,
        terms_version=ref.terms_version,
        outcome=outcome,
        kind=move.kind,
        decided_by=actor.user_id,
        on_behalf_of=on_behalf_of,
        reason=block.reason if block else None,
        explanation=block.explanation if block else justification,
        conditions=[c.value for c in block.conditions] if block else None,
        conditions_note=block.conditions_note if block else None,
        created_at=actor.now,
    )


def _events(
    row: Secondment,
    ref: DecisionRef,
    actor: Actor,
    on_behalf_of: str | None,
    move: Move,
    outcome: Outcome,
    block: BlockDetails | None,
    justification: str | None,
) -> list[dict[str, Any]]:
    """The move's audit event and, when it agreed the terms, the agreement's."""
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
        """One of the move's audit events."""
        return event_row(
            secondment_id=ref.secondment_id,
            actor_id=actor.user_id,
            action=action,
            terms_version=ref.terms_version,
            at=actor.now,
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
    return events


def _explain(record: SecondmentRecord | None, ref: DecisionRef, actor: Actor, move: Move) -> None:
    """Raise the refusal explaining why `actor` cannot make `move`; return if they can."""
    if record is None:
        raise NotFound(ref.secondment_id)
    side = record.side(ref.side)
    if move is Move.OVERRIDE:
        if not actor.is_hr:
            raise OnlyHr("override a block")
        if not actor.policy.hr_can_override:
            raise OverrideNotAllowed()
    elif not side.may_decide(actor.user_id, is_hr=actor.is_hr):
        raise NotYourSide(ref.side, side.manager_id, side.delegate_id, side.hr_decides)
    elif actor.user_id not in (side.manager_id, side.delegate_id) and (
        actor.user_id == record.employee_id or record.side(ref.side.other).may_decide(actor.user_id)
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
