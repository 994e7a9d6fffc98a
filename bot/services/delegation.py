"""A manager handing their side's decision to someone else, for example while away.

The delegate decides on the manager's behalf, and the record says so. The manager can hand it to
someone else later, or take it back by choosing themself. Reminders follow the decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update

from bot.db import Sessions
from bot.domain.errors import (
    AlreadyDecided,
    InvalidInput,
    NoLongerPending,
    NotYourSide,
    TermsChanged,
)
from bot.domain.people import Person
from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.domain.states import Side, SideState, Status
from bot.domain.validation import validate_delegate
from bot.models import Secondment
from bot.services.audit import record_event
from bot.services.decisions import DecisionRef
from bot.services.loading import load_record, load_visible
from bot.services.outbox import Announce, said
from bot.services.people import remember_people
from bot.services.settling import settle

DECIDING = [s.value for s in Status if s.awaits_decisions or s.is_blocked]


@dataclass(frozen=True, slots=True)
class Delegated:
    record: SecondmentRecord
    side: Side
    manager_id: str
    delegate_id: str | None  # None: the manager took the decision back
    previous_delegate_id: str | None


async def delegate(
    sessions: Sessions,
    *,
    team_id: str,
    ref: DecisionRef,
    actor_id: str,
    person: Person | None,
    announce: Announce[Delegated],
    policy: Policy,
    now: datetime,
) -> Delegated:
    """Hand `ref.side` to `person` (None: Slack does not know them)."""
    async with sessions.begin() as session:
        before = await load_visible(session, team_id, ref.secondment_id, actor_id, policy)
        side = before.side(ref.side)
        if actor_id != side.manager_id:
            raise NotYourSide(ref.side, side.manager_id)
        others = {before.side(ref.side.other).manager_id, before.side(ref.side.other).decider_id}
        errors = validate_delegate(
            person,
            manager_id=side.manager_id,
            employee_id=before.employee_id,
            other_deciders=others,
        )
        if errors:
            raise InvalidInput(errors)
        assert person is not None
        new_delegate = None if person.id == side.manager_id else person.id
        t = Secondment.__table__.c
        home = ref.side is Side.HOME
        state = t.home_state if home else t.host_state
        result = await session.execute(
            update(Secondment)
            .where(
                t.id == ref.secondment_id,
                (t.home_manager_id if home else t.host_manager_id) == actor_id,
                func.coalesce(t.proposal_version, t.terms_version) == ref.terms_version,
                # Only while this side still has something to decide.
                t.status.in_(DECIDING),
                state.in_([SideState.PENDING.value, SideState.BLOCKED.value]),
            )
            .values(
                {
                    t.home_delegate_id if home else t.host_delegate_id: new_delegate,
                    t.updated_at: now,
                }
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            if side.state is SideState.APPROVED and side.decided_by and side.decided_at:
                raise AlreadyDecided(ref.side, side.state, side.decided_by, side.decided_at)
            if before.deciding_version != ref.terms_version:
                raise TermsChanged(ref.terms_version, before.deciding_version)
            raise NoLongerPending(before.status)
        await remember_people(session, team_id, [person], now)
        record_event(
            session,
            secondment_id=ref.secondment_id,
            actor_id=actor_id,
            action=f"{ref.side.value}_delegated",
            terms_version=ref.terms_version,
            at=now,
            delegate_id=new_delegate,
            previous_delegate_id=side.delegate_id,
        )
        await settle(session, ref.secondment_id, policy, now)
        record = await load_record(session, team_id, ref.secondment_id, policy)
        assert record is not None
        delegated = Delegated(record, ref.side, side.manager_id, new_delegate, side.delegate_id)
        return await said(session, announce, delegated, ref.secondment_id, now)
