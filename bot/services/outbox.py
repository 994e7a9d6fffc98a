"""The outbox: what a change says, written in the change's own transaction.

A service that changes a secondment is handed an `Announce` for its result (the Slack layer
composes the messages; services never see Block Kit) and stores what it returns as nudge rows
due at once, before the transaction commits. The sweep's delivery sends them like any other
nudge, with the same claims and retries, so a message is never lost because Slack failed or the
process died between the change and the send.

A change made for a Slack request is usually delivered by that request, right after its answer
(bot/slack/delivery.py `deliver_now`). Inside `claiming()` its rows are written already claimed
by the request, so no second transaction claims them and no query reads back the record the
change has in hand. A row is born claimed only when nothing could come before it: its workspace
is not paused, and, for what is said in the thread, nothing said earlier there is still waiting.
(Each change holds its secondment's row first, so on PostgreSQL too it sees what the changes
before it wrote.) The rest are written free, for the usual claim. A request that never delivers
what it claimed (it failed first) leaves the rows to the sweep once their lease runs out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast
from uuid import uuid4

from sqlalchemy import (
    ColumnElement,
    Integer,
    Table,
    and_,
    bindparam,
    exists,
    insert,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from bot.domain.kinds import Destination, NudgeKind
from bot.domain.nudge_catalogue import IN_THREAD
from bot.models import Nudge, PausedWorkspace, Secondment
from bot.services.asked import pinned_close
from bot.services.away_holds import away_among

# How long a claim holds a nudge: past it, another sweep may claim it (bot/services/sweep.py).
LEASE = timedelta(minutes=5)
# Writing, renewing and marking in bulk use Core statements: the ORM's bookkeeping is not needed.
NUDGES = cast(Table, Nudge.__table__)
THREADED = (Destination.THREAD, Destination.BROADCAST)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One thing a change says: a MESSAGE composed now, or a THREAD_UPDATE (the thread's parent
    re-drawn when it is sent: from the change's own record when the request that made it sends
    it, or else from the state the claim reads)."""

    kind: NudgeKind
    destination: Destination | None = None
    recipient_id: str | None = None
    payload: dict[str, Any] | None = None


THREAD_UPDATE = Outgoing(NudgeKind.THREAD_UPDATE)


@dataclass(frozen=True, slots=True)
class BornClaimed:
    """An outbox row written already claimed, with what it says."""

    nudge_id: int
    secondment_id: int
    sequence: int
    outgoing: Outgoing
    held_until: datetime


@dataclass
class Claiming:
    """What the changes of one Slack request wrote already claimed (see `claiming`), until the
    request takes it to deliver; `held_back` names the secondments some of whose rows had to
    wait for the usual claim."""

    token: str = field(default_factory=lambda: uuid4().hex)
    rows: list[BornClaimed] = field(default_factory=list)
    held_back: set[int] = field(default_factory=set)

    def take(self, secondment_id: int) -> tuple[list[BornClaimed], bool]:
        """The rows claimed for `secondment_id` since the last take, and whether any of its
        rows were held back (the flag is cleared)."""
        mine = [r for r in self.rows if r.secondment_id == secondment_id]
        self.rows = [r for r in self.rows if r.secondment_id != secondment_id]
        held = secondment_id in self.held_back
        self.held_back.discard(secondment_id)
        return mine, held


_claiming: ContextVar[Claiming | None] = ContextVar("claiming", default=None)


@contextmanager
def claiming() -> Iterator[Claiming]:
    """Inside, what changes say is written claimed for the caller to deliver at once."""
    claims = Claiming()
    reset = _claiming.set(claims)
    try:
        yield claims
    finally:
        _claiming.reset(reset)


@contextmanager
def written_free() -> Iterator[None]:
    """Inside, even within `claiming()`, what changes say is written free for the usual claim:
    for a delivery that claims in rounds, whose next round takes it."""
    reset = _claiming.set(None)
    try:
        yield
    finally:
        _claiming.reset(reset)


def claimed_here() -> Claiming | None:
    """The claims of the Slack request being handled, if it delivers what it says."""
    return _claiming.get()


T = TypeVar("T")
# Composes what a change of type T says.
Announce = Callable[[T], Sequence[Outgoing]]


def quiet(_: object) -> Sequence[Outgoing]:
    """An `Announce` that says nothing, for a change no one is to hear about."""
    return ()


async def write_outbox(
    session: AsyncSession,
    secondment_id: int,
    outgoing: Sequence[Outgoing],
    now: datetime,
    *,
    terms_version: int = 0,
) -> None:
    """Store `outgoing` for `secondment_id`, due at `now`, in the caller's transaction; inside
    `claiming()`, claimed for the caller where nothing must come first."""
    outgoing = await _pin_closes(session, secondment_id, outgoing)
    if not outgoing:
        return
    rows = _rows(secondment_id, outgoing, now, terms_version)
    claims = claimed_here()
    if claims is None:
        await session.execute(insert(NUDGES), rows)
        return
    await _write_claimed(session, claims, secondment_id, outgoing, rows, now)


def _rows(
    secondment_id: int, outgoing: Sequence[Outgoing], now: datetime, terms_version: int
) -> list[dict[str, Any]]:
    """The outbox rows for `outgoing`, due at `now`, in the order they are said."""
    return [
        {
            "secondment_id": secondment_id,
            "kind": item.kind,
            # Round and sequence keep the order of what one change says; the round is the
            # terms version it was said about, for the record.
            "round": terms_version,
            "side": None,
            "sequence": position,
            "recipient_id": item.recipient_id,
            "due_at": now,
            "attempts": 0,
            "created_at": now,
            "destination": item.destination,
            "payload": item.payload,
        }
        for position, item in enumerate(outgoing)
    ]


async def _write_claimed(
    session: AsyncSession,
    claims: Claiming,
    secondment_id: int,
    outgoing: Sequence[Outgoing],
    rows: list[dict[str, Any]],
    now: datetime,
) -> None:
    """Write `rows` claimed for `claims` where nothing must come first, the rest free."""
    held_until = now + LEASE
    known = session.info.get(_WAITS, {}).pop(secondment_id, None)
    if known is None:
        known = tuple((await session.execute(_MUST_WAIT, {"secondment_id": secondment_id})).one())
    paused, behind = known
    # A direct message to someone away waits for the sweep, which holds it until they are back.
    to_people = {i.recipient_id for i in outgoing if _to_a_person(i) and i.recipient_id}
    away = await away_among(session, secondment_id, to_people, now)
    for row, item in zip(rows, outgoing, strict=True):
        free = not paused and not (behind and said_in_thread(item))
        free &= not (_to_a_person(item) and item.recipient_id in away)
        row |= {
            "claimed_until": held_until if free else None,
            "claim_token": claims.token if free else None,
            # Whatever it sends may arrive before it can record so: a later claim asks Slack.
            "maybe_sent": free,
        }
    # The statement is compiled once and reused: its parameters are plain values.
    written = await session.execute(
        insert(NUDGES).returning(NUDGES.c.id, NUDGES.c.sequence, NUDGES.c.claim_token), rows
    )
    for nudge_id, position, token in written.all():
        if token is None:
            claims.held_back.add(secondment_id)
        else:
            claims.rows.append(
                BornClaimed(nudge_id, secondment_id, position, outgoing[position], held_until)
            )


def _to_a_person(item: Outgoing) -> bool:
    return item.kind is NudgeKind.MESSAGE and item.destination is Destination.PERSON


async def _pin_closes(
    session: AsyncSession, secondment_id: int, outgoing: Sequence[Outgoing]
) -> list[Outgoing]:
    """`outgoing`, each close of questions pinned to the messages it is to update, as the
    change leaves them: a close delivered late never reaches a question asked after it. A close
    with nothing open is left out."""
    pinned = []
    for item in outgoing:
        if item.kind is not NudgeKind.QUESTIONS_CLOSED:
            pinned.append(item)
        elif item.payload and (payload := await pinned_close(session, secondment_id, item.payload)):
            pinned.append(replace(item, payload=payload))
    return pinned


def said_in_thread(item: Outgoing) -> bool:
    """`item` speaks in the approval thread (as `in_thread` says of a stored row)."""
    return item.kind in IN_THREAD or item.destination in THREADED


def in_thread(nudge: Any) -> ColumnElement[bool]:
    """`nudge` (Nudge, or an alias of it) speaks in the approval thread. Written so that no part
    is NULL: only a MESSAGE has a destination."""
    return or_(
        nudge.kind.in_(IN_THREAD),
        and_(nudge.kind == NudgeKind.MESSAGE, nudge.destination.in_(THREADED)),
    )


# Made once: an alias copies every column of the table, which each change would pay for again.
_EARLIER_IN_THREAD = aliased(Nudge, name="earlier_in_thread")


def must_wait(
    secondment_id: ColumnElement[int] | InstrumentedAttribute[int],
) -> tuple[ColumnElement[bool], ...]:
    """Whether a secondment's new rows must wait for the usual claim: its workspace is paused;
    whether something said in its thread is still waiting there (the claim keeps their order,
    so a new thread message waits behind it)."""
    earlier = _EARLIER_IN_THREAD
    return (
        exists().where(
            Secondment.id == secondment_id, PausedWorkspace.team_id == Secondment.team_id
        ),
        exists().where(
            earlier.secondment_id == secondment_id,
            in_thread(earlier),
            earlier.sent_at.is_(None),
            earlier.cancelled_at.is_(None),
        ),
    )


def remember_waits(session: AsyncSession, secondment_id: int, waits: tuple[bool, bool]) -> None:
    """`must_wait` as read with the secondment in this transaction (bot/services/loading.py,
    once the change holds its row), for `write_outbox` to use instead of asking again."""
    session.info.setdefault(_WAITS, {})[secondment_id] = waits


# Built once: building a statement with an alias costs more than running it.
_MUST_WAIT = select(*must_wait(bindparam("secondment_id", type_=Integer)))
_WAITS = "outbox_waits"


async def said(
    session: AsyncSession, announce: Announce[T], change: T, secondment_id: int, now: datetime
) -> T:
    """Write what `announce` makes of `change` to the outbox; returns `change`."""
    await write_outbox(session, secondment_id, announce(change), now)
    return change
