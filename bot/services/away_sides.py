"""One side of a request handed to an absent manager's delegate, or given back to them.

Each is a conditional update of the side (nobody deciding for it yet; still that delegate, on the
way back) with its audit event, its nudges re-planned and what it says; which absences and sides
are due is bot/services/away_handover.py's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.absences import Handed
from bot.domain.policy import Policy
from bot.domain.states import Side, SideState, Status
from bot.models import Absence, AwayHandover, Secondment
from bot.services.audit import record_event
from bot.services.loading import load_record, lock_secondment
from bot.services.outbox import Announce, said
from bot.services.replanning import replan

# A side is handed over while the request waits for its decision (not once it is blocked:
# the block is the manager's, and the employee's ways forward are in the thread).
AWAITING = [s.value for s in Status if s.awaits_decisions]


@dataclass(frozen=True, slots=True)
class HandingOver:
    """What every hand-over of one sweep's step (or one change) shares."""

    session: AsyncSession
    announce: Announce[Handed]
    policy: Policy
    now: datetime


async def hand_to_delegate(
    step: HandingOver, absence: Absence, secondment_id: int, side: Side
) -> Handed | None:
    """Hand one side to the absence's delegate, unless the delegate has another part in the
    request (then its reminders wait for the return, and HR hears if it waits too long)."""
    assert absence.delegate_id is not None
    await lock_secondment(step.session, secondment_id)
    before = await load_record(step.session, absence.team_id, secondment_id, step.policy)
    assert before is not None
    other = before.side(side.other)
    if absence.delegate_id in (before.employee_id, other.manager_id, other.decider_id):
        return None
    if not await _set_delegate(step, absence, secondment_id, side, None, absence.delegate_id):
        return None  # it moved on since it was read
    step.session.add(
        AwayHandover(
            absence_id=absence.id, secondment_id=secondment_id, side=side, handed_at=step.now
        )
    )
    return await _said(step, absence, secondment_id, side, returned=False)


async def give_back(
    step: HandingOver, absence: Absence, secondment_id: int, side: Side
) -> Handed | None:
    """Give one side back to the absent manager, if their delegate still holds it undecided."""
    assert absence.delegate_id is not None
    await lock_secondment(step.session, secondment_id)
    if not await _set_delegate(step, absence, secondment_id, side, absence.delegate_id, None):
        return None  # decided, or handed elsewhere, meanwhile: nothing to give back
    return await _said(step, absence, secondment_id, side, returned=True)


async def _set_delegate(
    step: HandingOver,
    absence: Absence,
    secondment_id: int,
    side: Side,
    was: str | None,
    becomes: str | None,
) -> bool:
    """Change who decides `side` from `was` to `becomes`, only while the absent person still
    manages it and it is still to decide; whether it changed."""
    t = Secondment.__table__.c
    home = side is Side.HOME
    delegate = t.home_delegate_id if home else t.host_delegate_id
    to_hr = t.home_to_hr_at if home else t.host_to_hr_at
    result = await step.session.execute(
        update(Secondment)
        .where(
            t.id == secondment_id,
            (t.home_manager_id if home else t.host_manager_id) == absence.person_id,
            # Handing over: nobody decides it, HR included; giving back: still that delegate.
            and_(delegate.is_(None), to_hr.is_(None)) if was is None else delegate == was,
            (t.home_state if home else t.host_state) == SideState.PENDING.value,
            t.status.in_(AWAITING),
        )
        # Whoever decides now can: a side HR held for a deactivated delegate is theirs.
        .values(
            {
                delegate: becomes,
                to_hr: None,
                t.updated_at: step.now,
            }
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def _said(
    step: HandingOver, absence: Absence, secondment_id: int, side: Side, *, returned: bool
) -> Handed:
    """The hand-over's audit event (as a delegation's), its nudges re-planned for whoever
    decides now, and what it says."""
    assert absence.delegate_id is not None
    row = await replan(step.session, secondment_id, step.policy, step.now)
    record_event(
        step.session,
        secondment_id=secondment_id,
        actor_id=absence.person_id,
        action=f"{side.value}_delegated",
        terms_version=row.proposal_version or row.terms_version,
        at=step.now,
        delegate_id=None if returned else absence.delegate_id,
        previous_delegate_id=absence.delegate_id if returned else None,
        away_id=absence.id,
        away_until=absence.last_day.isoformat(),
    )
    record = await load_record(step.session, absence.team_id, secondment_id, step.policy)
    assert record is not None
    handed = Handed(
        record,
        side,
        absence.person_id,
        absence.delegate_id,
        absence.last_day,
        returned,
        cancelled=absence.cancelled_at is not None,
    )
    return await said(step.session, step.announce, handed, secondment_id, step.now)
