"""Reading secondments for the person who asks: only their own, as employee or as a manager."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from bot.db import Sessions
from bot.domain.actor import Actor
from bot.domain.record import SecondmentRecord
from bot.models import Secondment
from bot.services.loading import load_records, load_visible

LIST_LIMIT = 20


async def list_for_user(sessions: Sessions, *, actor: Actor) -> tuple[list[SecondmentRecord], int]:
    """The user's most recent secondments (at most LIST_LIMIT), as employee, manager or delegate,
    and how many were found (LIST_LIMIT + 1 means there are more)."""
    involved = (
        Secondment.team_id == actor.team_id,
        or_(
            Secondment.employee_id == actor.user_id,
            Secondment.home_manager_id == actor.user_id,
            Secondment.host_manager_id == actor.user_id,
            Secondment.home_delegate_id == actor.user_id,
            Secondment.host_delegate_id == actor.user_id,
        ),
    )
    async with sessions.begin() as session:
        rows = (
            await session.scalars(
                select(Secondment)
                .where(*involved)
                .order_by(Secondment.id.desc())
                .limit(LIST_LIMIT + 1)
                .options(selectinload(Secondment.terms))
            )
        ).all()
        records = await load_records(session, rows[:LIST_LIMIT], actor.policy)
    return records, len(rows)


async def get_for_user(
    sessions: Sessions,
    *,
    actor: Actor,
    secondment_id: int,
    check: Callable[[SecondmentRecord, str], None] | None = None,
) -> SecondmentRecord:
    """One secondment, if the user is one of its parties (or a delegate, or HR), and if `check`
    (a rule from bot.domain.permissions) lets them do what they are about to do."""
    async with sessions.begin() as session:
        record = await load_visible(
            session,
            actor.team_id,
            secondment_id,
            actor.user_id,
            actor.policy,
            actor_is_hr=actor.is_hr,
        )
    if check is not None:
        check(record, actor.user_id)
    return record
