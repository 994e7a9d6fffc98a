"""The outbox of events for the HR system: written with each change, claimed and marked as the
webhook sender (bot/webhook.py) delivers them.

Writing. With a webhook set up, sessions come from `sessions_for(engine, events_out=True)`.
Every audit event such a session records is noted (bot/services/audit.py); just before the
transaction commits, each noted state change becomes an `events_out` row, its body drawn from
the secondment as the whole change left it. So an event exists exactly when its change does:
a change rolled back writes neither.

Sending. One receiver takes the events in the order they were written. So one sender at a time
holds claims (on PostgreSQL an advisory lock orders the claims of several processes), it
claims the oldest events in order, and a failed event holds back the ones after it until it
goes. A sender that dies mid-batch leaves its claim to run out (`LEASE`): the events are sent
again, with the same ids, and the receiver de-duplicates (at least once).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

from sqlalchemy import delete, event, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session

from bot.db import Sessions, make_sessions
from bot.domain.events_out import (
    SecondmentState,
    StateChange,
    event_body,
    event_type,
    retry_after,
)
from bot.models import OutgoingEvent, Secondment, TermsVersion
from bot.services.outbox import LEASE

# Where a session keeps the state changes noted since its transaction began.
_NOTED = "events_out_noted"
# Any constants shared by every process: the keys of the advisory locks on claiming events, and
# on writing them.
CLAIM_LOCK = 0x5EC0E7
WRITE_LOCK = 0x5EC0E8
# How long a delivered event is kept, for an operator looking into what the receiver was sent.
SENT_KEPT_FOR = timedelta(days=30)
# Events claimed at a time: with the sender's 10 s timeout, a batch ends well inside its lease
# however slow the receiver is, so a claim never needs renewing.
BATCH = 20


class EventsOutSession(Session):
    """A session whose audited state changes are written as events out before it commits."""


def sessions_for(engine: AsyncEngine, *, events_out: bool) -> Sessions:
    """The bot's sessions: with `events_out`, every change also writes its events out."""
    return make_sessions(engine, EventsOutSession if events_out else Session)


def note_changes(session: Session, rows: list[dict[str, Any]]) -> None:
    """Note the audit events in `rows` (`event_row`s) that are state changes of a secondment,
    when `session` writes events out."""
    if not isinstance(session, EventsOutSession):
        return
    noted = session.info.setdefault(_NOTED, [])
    for row in rows:
        if row["secondment_id"] is not None and event_type(row["action"]) is not None:
            noted.append(
                StateChange(row["secondment_id"], row["action"], row["actor_id"], row["at"])
            )


@event.listens_for(EventsOutSession, "after_rollback")
def _forget_noted(session: Session) -> None:
    session.info[_NOTED] = []


@event.listens_for(EventsOutSession, "before_commit")
def _write_noted(session: Session) -> None:
    """The noted changes' events, each drawn from its secondment as the change left it. (Run in
    the session's own sync context: SQLAlchemy's asyncio layer carries the I/O.)"""
    noted: list[StateChange] = session.info.get(_NOTED) or []
    session.info[_NOTED] = []
    if not noted:
        return
    session.flush()
    states = _states(session, {change.secondment_id for change in noted})
    rows = []
    for change in noted:
        state = states.get(change.secondment_id)
        if state is None:  # deleted in the same change: nothing left to describe
            continue
        event_id = str(uuid4())
        rows.append(
            {
                "event_id": event_id,
                "secondment_id": change.secondment_id,
                "type": event_type(change.action),
                "body": event_body(event_id, change, state),
                "created_at": change.at,
                "due_at": change.at,
                "attempts": 0,
            }
        )
    if rows:
        if session.get_bind().dialect.name == "postgresql":
            # Ids are taken at INSERT and seen at COMMIT: two changes committing in the other
            # order would show the sender id 11 before id 10. Writers take turns from here to
            # their commit, which does nothing else (SQLite's writers take turns already).
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})
        session.execute(insert(OutgoingEvent), rows)


def _states(session: Session, ids: set[int]) -> dict[int, SecondmentState]:
    s, t = Secondment, TermsVersion
    found = session.execute(
        select(
            s.id,
            s.team_id,
            s.status,
            s.home_state,
            s.host_state,
            s.terms_version,
            t.start_date,
            t.end_date,
            s.employee_id,
            s.home_manager_id,
            s.host_manager_id,
        )
        .join(t, (t.secondment_id == s.id) & (t.version == s.terms_version))
        .where(s.id.in_(ids))
    ).all()
    return {
        row.id: SecondmentState(
            row.id,
            row.team_id,
            row.status.value,
            row.home_state.value,
            row.host_state.value,
            row.terms_version,
            row.start_date,
            row.end_date,
            row.employee_id,
            row.home_manager_id,
            row.host_manager_id,
        )
        for row in found
    }


@dataclass(frozen=True, slots=True)
class Claimed:
    """An event this sender holds, to send as it is."""

    id: int
    event_id: str
    body: str
    attempts: int
    claim_token: str


async def claim_events(sessions: Sessions, *, now: datetime, limit: int = BATCH) -> list[Claimed]:
    """The oldest events not yet sent, in order, up to the first that is not due (one waiting
    to be tried again holds back those after it); none while another sender's claim lasts."""
    token = uuid4().hex
    e = OutgoingEvent
    async with sessions.begin() as session:
        if session.get_bind().dialect.name == "postgresql":
            await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CLAIM_LOCK})
        held = await session.scalar(
            select(e.id).where(e.sent_at.is_(None), e.claimed_until >= now).limit(1)
        )
        if held is not None:
            return []
        oldest = (
            await session.execute(
                select(e.id, e.event_id, e.body, e.attempts, e.due_at)
                .where(e.sent_at.is_(None))
                .order_by(e.id)
                .limit(limit)
            )
        ).all()
        due = []
        for row in oldest:
            if row.due_at > now:
                break
            due.append(row)
        if not due:
            return []
        await session.execute(
            update(e)
            .where(e.id.in_([row.id for row in due]))
            .values(claim_token=token, claimed_until=now + LEASE)
        )
    return [Claimed(row.id, row.event_id, row.body, row.attempts, token) for row in due]


async def mark_event_sent(sessions: Sessions, claimed: Claimed, *, now: datetime) -> bool:
    """Record that the receiver took the event (once). Its delivery is not a change of its own:
    the change it tells of has its audit event."""
    e = OutgoingEvent
    async with sessions.begin() as session:
        marked = await session.scalar(
            update(e)
            .where(e.id == claimed.id, e.sent_at.is_(None))
            .values(sent_at=now, attempts=e.attempts + 1, claim_token=None, claimed_until=None)
            .returning(e.id)
        )
    return marked is not None


async def mark_event_failed(
    sessions: Sessions, claimed: Claimed, *, error: str, now: datetime
) -> None:
    """Record a failed try and when to try again; the rest of the batch is released, to go
    after it."""
    e = OutgoingEvent
    async with sessions.begin() as session:
        await session.execute(
            update(e)
            .where(e.id == claimed.id, e.claim_token == claimed.claim_token, e.sent_at.is_(None))
            .values(
                attempts=claimed.attempts + 1,
                last_error=error[:200],
                due_at=now + retry_after(claimed.attempts + 1),
            )
        )
        await release_claim(session, claimed.claim_token)


async def release_events(sessions: Sessions, token: str) -> None:
    """Free what is left of a claim the sender will not get to this time."""
    async with sessions.begin() as session:
        await release_claim(session, token)


async def release_claim(session: AsyncSession, token: str) -> None:
    """Free what is left of a claim, for the next sweep."""
    e = OutgoingEvent
    await session.execute(
        update(e)
        .where(e.claim_token == token, e.sent_at.is_(None))
        .values(claim_token=None, claimed_until=None)
    )


async def forget_sent_events(sessions: Sessions, *, now: datetime) -> int:
    """Drop the events delivered more than `SENT_KEPT_FOR` ago (the daily job); returns how
    many went."""
    async with sessions.begin() as session:
        result = await session.execute(
            delete(OutgoingEvent).where(OutgoingEvent.sent_at < now - SENT_KEPT_FOR)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
