"""HR as the fallback approver: a side whose decider's Slack account is deactivated goes to HR.

docs/DOMAIN.md friction 3 (a request never left without a way forward): a manager who has left
cannot decide, and reminders to them go nowhere. The bot learns it from Slack (a `user_change`
event saying the account is deleted, or a reminder refused because the account is disabled);
each side that person decides and is still pending then goes to HR, once (a conditional update
of the side's `*_to_hr_at`), with its audit event and a notice in the thread and to HR, whose
people may then approve or block it. Their reminders stop; nobody else's change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import KeyedColumnElement

from bot.db import Sessions
from bot.domain.hr_fallback import ToHr
from bot.domain.policy import Policy
from bot.domain.states import Side, SideState, Status
from bot.models import Secondment
from bot.services.audit import record_event
from bot.services.loading import load_record, lock_secondment
from bot.services.outbox import Announce, said
from bot.services.replanning import replan

AWAITING = [s.value for s in Status if s.awaits_decisions]


async def hand_to_hr(
    sessions: Sessions,
    *,
    team_id: str,
    person_id: str,
    reason: str,
    announce: Announce[ToHr],
    policy: Policy,
    now: datetime,
) -> list[ToHr]:
    """`hand_over_to_hr` in a transaction of its own."""
    async with sessions.begin() as session:
        return await hand_over_to_hr(
            session,
            team_id=team_id,
            person_id=person_id,
            reason=reason,
            announce=announce,
            policy=policy,
            now=now,
        )


async def hand_over_to_hr(
    session: AsyncSession,
    *,
    team_id: str,
    person_id: str,
    reason: str,
    announce: Announce[ToHr],
    policy: Policy,
    now: datetime,
) -> list[ToHr]:
    """Hand HR every pending side `person_id` decides (as its manager with nobody deciding for
    them, or as the delegate), now that their account is deactivated; returns the sides handed.
    Without HR set up there is nobody to hand it to, and nothing changes."""
    if not policy.hr_configured:
        return []
    handed: list[ToHr] = []
    for secondment_id, side in await _theirs(session, team_id, person_id):
        await lock_secondment(session, secondment_id)
        changed = await session.execute(
            update(Secondment)
            .where(Secondment.id == secondment_id, _pending_for(side, person_id))
            .values({_to_hr(side): now, Secondment.updated_at: now})
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            continue  # decided, or handed to someone else, since it was read
        row = await replan(session, secondment_id, policy, now)
        record_event(
            session,
            secondment_id=secondment_id,
            actor_id="bot",
            action=f"{side.value}_to_hr",
            terms_version=row.proposal_version or row.terms_version,
            at=now,
            decider_id=person_id,
            reason=reason,
        )
        record = await load_record(session, team_id, secondment_id, policy)
        assert record is not None
        moved = ToHr(record, side, person_id, reason)
        handed.append(await said(session, announce, moved, record.id, now))
    return handed


async def lock_theirs(session: AsyncSession, *, team_id: str, person_id: str) -> None:
    """Take the rows `hand_over_to_hr` will change, in id order, before anything else: so a
    transaction that also holds one of their nudges takes the locks in every change's order."""
    for secondment_id in sorted({s for s, _ in await _theirs(session, team_id, person_id)}):
        await lock_secondment(session, secondment_id)


async def _theirs(session: AsyncSession, team_id: str, person_id: str) -> list[tuple[int, Side]]:
    found: list[tuple[int, Side]] = []
    for side in Side:
        rows = await session.scalars(
            select(Secondment.id)
            .where(Secondment.team_id == team_id, _pending_for(side, person_id))
            .order_by(Secondment.id)
        )
        found += [(secondment_id, side) for secondment_id in rows]
    return sorted(found)


def _pending_for(side: Side, person_id: str) -> ColumnElement[bool]:
    """`side` waits on `person_id`'s decision, and is not HR's yet."""
    home = side is Side.HOME
    t = Secondment.__table__.c
    manager = t.home_manager_id if home else t.host_manager_id
    delegate = t.home_delegate_id if home else t.host_delegate_id
    return and_(
        t.status.in_(AWAITING),
        (t.home_state if home else t.host_state) == SideState.PENDING.value,
        _to_hr(side).is_(None),
        or_(delegate == person_id, and_(manager == person_id, delegate.is_(None))),
    )


def _to_hr(side: Side) -> KeyedColumnElement[Any]:
    """When the side went to HR (None: it has not)."""
    t = Secondment.__table__.c
    return t.home_to_hr_at if side is Side.HOME else t.host_to_hr_at
