"""Renewing a sweep's claims just before its sends, and marking the plain messages it delivered
sent in that same transaction (many to one), with where the questions among them landed and
whether more waits behind them in their thread.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, bindparam, case, false, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions
from bot.domain.kinds import Posted
from bot.domain.nudge_catalogue import CHANGES_STATE, SAID
from bot.models import Secondment
from bot.services.audit import record_events
from bot.services.delivered import sent_columns, sent_event
from bot.services.outbox import LEASE, NUDGES
from bot.services.sweep import Due


async def renew(sessions: Sessions, batch: Sequence[Due], *, now: datetime) -> list[Due]:
    """Renew this sweep's claims just before sending `batch`; returns the nudges still its own
    (see `renew_and_mark`)."""
    return (await renew_and_mark(sessions, batch, (), now=now, sent_at=now)).ours


async def renew_and_mark(
    sessions: Sessions,
    renewing: Sequence[Due],
    delivered: Sequence[Due],
    *,
    now: datetime,
    sent_at: datetime,
    look_behind: bool = False,
    posted: Mapping[int, Posted] | None = None,
) -> Renewed:
    """In one transaction: record `delivered` as sent at `sent_at`, then renew this sweep's
    claims on `renewing` just before they are sent. Returns the nudges still this sweep's own,
    the ids marked now and, with `look_behind`, the secondments of those with more said and
    free to claim (see `_free_behind`). `posted` gives where the questions among `delivered`
    landed, kept so they can be closed (bot/services/asked.py).

    A sweep slowed past its lease (a slow or rate-limited Slack, a paused process) finds a nudge
    taken by another sweep, or cancelled meanwhile, and leaves it; the renewed lease covers the
    sends about to happen. Only messages that change nothing about their secondment are marked
    here (see `CHANGES_STATE`), each once, with their audit events."""
    assert not any(d.kind in CHANGES_STATE for d in delivered), "mark_sent handles those"
    if not renewing and not delivered:
        return Renewed([], set(), set())
    marked: set[int] = set()
    waiting: set[int] = set()
    ours: set[int] = set()
    async with sessions.begin() as session:
        if delivered:
            marked, waiting = await _mark_delivered(
                session, delivered, now, sent_at, look_behind, posted or {}
            )
        if renewing:
            ours = await _renew_claims(session, renewing, now)
    return Renewed([d for d in renewing if d.nudge_id in ours], marked, waiting)


class Renewed(NamedTuple):
    """What `renew_and_mark` did: the nudges still this sweep's own, the ids it marked sent,
    and the secondments with more said behind those marked."""

    ours: list[Due]
    marked: set[int]
    waiting: set[int]


async def _mark_delivered(
    session: AsyncSession,
    delivered: Sequence[Due],
    now: datetime,
    sent_at: datetime,
    look_behind: bool,
    posted: Mapping[int, Posted],
) -> tuple[set[int], set[int]]:
    """Mark `delivered` sent, each once, with their audit events; returns the ids marked and,
    with `look_behind`, the secondments with more said and free to claim."""
    nudges = NUDGES.c
    marked: set[int] = set()
    waiting: set[int] = set()
    ids = [d.nudge_id for d in delivered]
    behind = _FREE_BEHIND if look_behind else false()
    if look_behind:
        await _hold_still(session, {d.record.id for d in delivered})
    rows = await session.execute(
        update(NUDGES)
        .where(nudges.id.in_(ids), nudges.sent_at.is_(None))
        .values({**sent_columns(sent_at), **_posted_columns(posted)})
        .returning(nudges.id, nudges.secondment_id, behind),
        {"ids": ids, "now": now} if look_behind else {},
    )
    for nudge_id, secondment_id, more in rows.all():
        marked.add(nudge_id)
        if more:
            waiting.add(secondment_id)
    # What a change said is delivered, not a change: the change has its own audit event.
    await record_events(
        session,
        [sent_event(d, sent_at) for d in delivered if d.nudge_id in marked and d.kind not in SAID],
    )
    return marked, waiting


async def _renew_claims(session: AsyncSession, renewing: Sequence[Due], now: datetime) -> set[int]:
    """Renew this sweep's claims on `renewing`; returns the ids still its own."""
    nudges = NUDGES.c
    return set(
        await session.scalars(
            update(NUDGES)
            .where(
                nudges.id.in_([d.nudge_id for d in renewing]),
                # Tokens are unique per claim, so only this sweep's own claims match.
                nudges.claim_token.in_({d.claim_token for d in renewing}),
                nudges.sent_at.is_(None),
                nudges.cancelled_at.is_(None),
            )
            .values(claimed_until=now + LEASE)
            .returning(nudges.id)
        )
    )


def _posted_columns(posted: Mapping[int, Posted]) -> dict[str, Any]:
    """Where each of `posted` landed, set in the same UPDATE that marks them sent."""
    if not posted:
        return {}
    ids = NUDGES.c.id
    return {
        "posted_channel": case({k: p.channel for k, p in posted.items()}, value=ids),
        "posted_ts": case({k: p.ts for k, p in posted.items()}, value=ids),
    }


async def _hold_still(session: AsyncSession, secondment_ids: set[int]) -> None:
    """Wait for the changes to these secondments still open, and keep new ones out until the
    marks commit (PostgreSQL; SQLite's writers take turns already). A change holds its
    secondment while it asks whether its thread messages must wait and writes them
    (bot/services/loading.py `lock_secondment`): without this, a change open while the marks
    are made would see these messages unsent, and the marks would not yet see its messages, so
    neither would claim them and they would wait for the sweep. Shared, so that deliveries
    marking at once do not wait for each other; in id order, so that they never deadlock."""
    await session.execute(
        select(Secondment.id)
        .where(Secondment.id.in_(sorted(secondment_ids)))
        .order_by(Secondment.id)
        .with_for_update(read=True)
    )


def _free_behind() -> ColumnElement[bool]:
    """For each nudge being marked: whether its secondment has more said, not sent and free to
    claim at `now`, besides the nudges being marked (`ids`). Asked as the marks are made, so
    that a change whose thread messages were written behind these (bot/services/outbox.py) is
    never left to wait for the sweep: marked first, these find it; marked after, it finds these
    sent. (Whether it is due yet is the claim's to say: this `now` may be older than it.)"""
    later = NUDGES.alias("later")
    return (
        select(literal(1))
        .where(
            later.c.secondment_id == NUDGES.c.secondment_id,
            later.c.id.not_in(bindparam("ids", expanding=True)),
            later.c.kind.in_(SAID),
            later.c.sent_at.is_(None),
            later.c.cancelled_at.is_(None),
            or_(
                later.c.claim_token.is_(None),
                later.c.claimed_until < bindparam("now", type_=NUDGES.c.claimed_until.type),
            ),
        )
        .correlate(NUDGES)
        .exists()
    )


# Built once: building a statement with an alias costs more than running it.
_FREE_BEHIND = _free_behind()
