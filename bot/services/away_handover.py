"""Decisions handed to an absent manager's delegate for their time away, and back at its end.

When time away begins (the sweep reaches its first day, or it is entered on the day), each side
the absent person manages and still has to decide, with nobody deciding for them, goes to the
delegate they named: the side's delegate is set, as a delegation sets it, and the record says
so. A request that reaches them while they are away is handed over too, once: a manager who
takes a decision back while away keeps it. When the time away ends or is cancelled, each side
still with that delegate and still to decide comes back to the manager.

This module finds the absences and sides due; each hand-over (bot/services/away_sides.py) is a
conditional update of the side (nobody deciding for it yet; still that delegate, on the way back)
with its audit event and what it says, so two sweeps at once, or a sweep and a cancellation,
hand each side over once.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions
from bot.domain.absences import Handed
from bot.domain.policy import Policy
from bot.domain.states import Side, SideState
from bot.models import Absence, AwayHandover, Secondment
from bot.services.away_sides import AWAITING, HandingOver, give_back, hand_to_delegate
from bot.services.outbox import Announce

log = logging.getLogger(__name__)


async def sweep_absences(
    sessions: Sessions, announce: Announce[Handed], policy: Policy, now: datetime
) -> None:
    """The sweep's step: end the time away that is over or cancelled, then begin what has begun
    and hand over what reached the absent since. Each absence in a transaction of its own,
    holding its row, then its requests in id order, as a cancellation does."""
    async with sessions() as session:
        ending = list(await session.scalars(_ending(now).order_by(Absence.id)))
        beginning = list(await session.scalars(_beginning(now).order_by(Absence.id)))
    for step, ids in ((end_due, ending), (begin_due, beginning)):
        for absence_id in ids:
            try:
                async with sessions.begin() as session:
                    await step(session, announce, policy, now, absence_id)
            except SQLAlchemyError:
                # Rolled back whole; the others go on, and this is tried at the next sweep.
                log.exception("time away %s: handing decisions over failed", absence_id)


def _ending(now: datetime) -> Select[int]:
    return select(Absence.id).where(
        Absence.begun_at.is_not(None),
        Absence.ended_at.is_(None),
        or_(Absence.ends_at <= now, Absence.cancelled_at.is_not(None)),
    )


def _beginning(now: datetime) -> Select[int]:
    """Time away whose first day has come, not yet marked begun; or under way, with a delegate,
    and a side still to hand over."""
    return select(Absence.id).where(
        Absence.ended_at.is_(None),
        Absence.cancelled_at.is_(None),
        Absence.starts_at <= now,
        or_(
            Absence.begun_at.is_(None),
            and_(Absence.delegate_id.is_not(None), Absence.ends_at > now, _a_side_to_hand()),
        ),
    )


async def begin_due(
    session: AsyncSession,
    announce: Announce[Handed],
    policy: Policy,
    now: datetime,
    absence_id: int,
) -> list[Handed]:
    """Mark an absence whose first day has come as begun and, while it lasts, hand each side
    still to decide to its delegate; returns the hand-overs made. The absence's row is held
    first: a cancellation committing meanwhile is seen, and nothing is handed for it."""
    absence = (
        await session.scalars(
            select(Absence)
            .where(
                Absence.id == absence_id,
                Absence.ended_at.is_(None),
                Absence.cancelled_at.is_(None),
                Absence.starts_at <= now,
            )
            .with_for_update()
        )
    ).first()
    if absence is None:
        return []
    if absence.begun_at is None:
        absence.begun_at = now
    if absence.delegate_id is None or absence.ends_at <= now:
        return []  # nobody named; or it passed while the bot was down, and ends next
    step, made = HandingOver(session, announce, policy, now), []
    for secondment_id, side in await _still_to_hand(session, absence):
        handed = await hand_to_delegate(step, absence, secondment_id, side)
        made += [handed] if handed else []
    return made


async def end_due(
    session: AsyncSession,
    announce: Announce[Handed],
    policy: Policy,
    now: datetime,
    absence_id: int,
) -> list[Handed]:
    """End an absence that is over or cancelled, once, and give back each side its delegate
    still holds and that is still to decide; returns the sides given back."""
    absence = (
        await session.scalars(
            update(Absence)
            .where(
                Absence.id == absence_id,
                Absence.begun_at.is_not(None),
                Absence.ended_at.is_(None),
                or_(Absence.ends_at <= now, Absence.cancelled_at.is_not(None)),
            )
            .values(ended_at=now)
            .returning(Absence)
        )
    ).first()
    if absence is None or absence.delegate_id is None:
        return []  # not due, ended already; or its delegate was erased, and nothing is theirs
    handed = await session.execute(
        select(AwayHandover.secondment_id, AwayHandover.side)
        .where(AwayHandover.absence_id == absence.id)
        .order_by(AwayHandover.secondment_id, AwayHandover.side)
    )
    step, made = HandingOver(session, announce, policy, now), []
    for secondment_id, side in handed.all():
        back = await give_back(step, absence, secondment_id, side)
        made += [back] if back else []
    return made


async def _still_to_hand(session: AsyncSession, absence: Absence) -> list[tuple[int, Side]]:
    """The sides `absence`'s person manages and still has to decide, with nobody deciding for
    them, not yet handed over for this absence, in request order."""
    found: list[tuple[int, Side]] = []
    for side in Side:
        rows = await session.scalars(
            select(Secondment.id).where(Absence.id == absence.id, _side_to_hand(side))
        )
        found += [(secondment_id, side) for secondment_id in rows]
    return sorted(found)


def _a_side_to_hand() -> ColumnElement[bool]:
    """For an absence (`Absence`, correlated): some request has a side to hand over."""
    return or_(*(select(Secondment.id).where(_side_to_hand(side)).exists() for side in Side))


def _side_to_hand(side: Side) -> ColumnElement[bool]:
    """`side` of a request (`Secondment`) is one the absence (`Absence`) hands over: the absent
    person manages it, it waits for their decision with nobody deciding for them, it was not
    handed over for this absence before (a manager who took it back keeps it), and the
    delegate has no other part in the request."""
    t = Secondment.__table__.c
    home = side is Side.HOME
    other_manager = t.host_manager_id if home else t.home_manager_id
    other_delegate = t.host_delegate_id if home else t.home_delegate_id
    handed = exists().where(
        AwayHandover.absence_id == Absence.id,
        AwayHandover.secondment_id == t.id,
        AwayHandover.side == side,
    )
    return and_(
        t.team_id == Absence.team_id,
        (t.home_manager_id if home else t.host_manager_id) == Absence.person_id,
        (t.home_delegate_id if home else t.host_delegate_id).is_(None),
        (t.home_state if home else t.host_state) == SideState.PENDING.value,
        (t.home_to_hr_at if home else t.host_to_hr_at).is_(None),
        t.status.in_(AWAITING),
        t.employee_id != Absence.delegate_id,
        other_manager != Absence.delegate_id,
        func.coalesce(other_delegate, "") != Absence.delegate_id,
        ~handed,
    )
