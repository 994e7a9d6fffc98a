"""The order and the limits of claiming: which due nudges a sweep may claim now (nothing said
earlier in the same thread still waits, the thread that shows a reminder is open, the workspace
is not paused), in which order, and how far behind the sweep is (`backlog`).

SQL expressions over `Nudge`, used by bot/services/sweep.py `claim_due`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from bot.db import Sessions
from bot.domain.kinds import (
    NudgeKind,
)
from bot.domain.nudge_catalogue import (
    ROUND_KINDS,
    SILENT,
)
from bot.models import Nudge, PausedWorkspace, Secondment
from bot.services.outbox import (
    in_thread,
)

# The other rows of `Nudge` each expression compares a nudge with. Made once: an alias copies
# every column of the table, which each sweep would otherwise pay for again.
_WAITING_EARLIER = aliased(Nudge, name="waiting_earlier")
_UNCLAIMED_EARLIER = aliased(Nudge, name="unclaimed_earlier")
_UP_TO = aliased(Nudge, name="up_to")
_OPENING = aliased(Nudge, name="opening")


async def backlog(sessions: Sessions, *, now: datetime) -> tuple[timedelta, int]:
    """How long the oldest nudge due at `now` and neither sent nor cancelled has been due (zero
    when none is), and how many such nudges and messages wait: the outbox's lag and depth. A
    nudge waiting to be retried counts only from its retry time, when it is due again, and one
    held until it may go (bot/services/check_in_catch_up.py `put_off`) from then; one another
    sweep holds counts, as it is not delivered yet."""
    due = case(
        (
            and_(Nudge.claim_token.is_(None), Nudge.claimed_until > Nudge.due_at),
            Nudge.claimed_until,
        ),
        else_=Nudge.due_at,
    )
    async with sessions() as session:
        oldest, depth = (
            await session.execute(
                select(func.min(due), func.count()).where(
                    due <= now,
                    Nudge.sent_at.is_(None),
                    Nudge.cancelled_at.is_(None),
                    not_paused(),
                )
            )
        ).one()
    return (timedelta(0) if oldest is None else now - oldest), depth


def in_turn(now: datetime) -> ColumnElement[bool]:
    """Nothing said earlier in the same thread waits behind this nudge: not for a retry, nor
    in another sweep's hands. (Earlier ones that are due and free are claimed with it, and
    sent first.)"""
    earlier = _WAITING_EARLIER
    return or_(
        ~in_thread(Nudge),
        ~exists().where(
            _open_earlier_in_thread(earlier),
            or_(earlier.due_at > now, earlier.claimed_until >= now),
        ),
    )


def _open_earlier_in_thread(earlier: Any) -> ColumnElement[bool]:
    """`earlier` is said before `Nudge` in its thread and not yet sent or given up."""
    return and_(
        earlier.secondment_id == Nudge.secondment_id,
        earlier.id < Nudge.id,
        in_thread(earlier),
        earlier.sent_at.is_(None),
        earlier.cancelled_at.is_(None),
    )


def turn_comes() -> ColumnElement[Any]:
    """When a nudge's turn comes: its due time, or for what is said in a thread, the latest due
    time of what is still open there up to it (a reply put off to its retry holds the newer
    ones back). Claimed in this order, a limit never takes a thread's message without those
    before it."""
    upto = _UP_TO
    latest = (
        select(func.max(upto.due_at))
        .where(
            upto.secondment_id == Nudge.secondment_id,
            upto.id <= Nudge.id,
            in_thread(upto),
            upto.sent_at.is_(None),
            upto.cancelled_at.is_(None),
        )
        .scalar_subquery()
    )
    return case((in_thread(Nudge), latest), else_=Nudge.due_at)


def none_left_behind(ids: list[int]) -> ColumnElement[bool]:
    """Everything said before the nudge in its thread, and still open, is claimed with it. On
    PostgreSQL, a row another sweep has locked but not yet claimed is skipped, and what follows
    it in the thread must wait for that sweep."""
    earlier = _UNCLAIMED_EARLIER
    return or_(
        ~in_thread(Nudge),
        ~exists().where(_open_earlier_in_thread(earlier), earlier.id.not_in(ids)),
    )


def shown_first() -> ColumnElement[bool]:
    """A reminder (or HR's escalation) of a request waits for the thread that shows it to the
    managers: while Slack has not opened it, a reminder would be the first they hear of it.
    (One whose thread was given up is cancelled when claimed: see `_never_shown`.)"""
    opening = _OPENING
    return or_(
        Nudge.kind.not_in(ROUND_KINDS),
        ~exists().where(
            opening.secondment_id == Nudge.secondment_id,
            opening.kind == NudgeKind.THREAD_OPEN,
            opening.sent_at.is_(None),
            opening.cancelled_at.is_(None),
        ),
    )


def not_paused() -> ColumnElement[bool]:
    """The nudge's workspace is not paused (bot/services/pauses.py), or it sends nothing: a
    paused workspace's messages wait, unclaimed, and their backlog is not the sweep's lag."""
    return or_(
        Nudge.kind.in_(SILENT),
        ~exists().where(
            Secondment.id == Nudge.secondment_id, PausedWorkspace.team_id == Secondment.team_id
        ),
    )
