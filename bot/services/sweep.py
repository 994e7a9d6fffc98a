"""The database side of sending nudges: claim what is due (the order and limits of claiming are
in bot/services/claim_order.py; how the claim judges what it took, in
bot/services/claim_verdicts.py; claims renewed and plain messages marked sent, in
bot/services/renewals.py; what else becomes of each claim, sent or failed, in
bot/services/delivered.py).

Claiming is a conditional UPDATE that sets a lease (`claimed_until`); on PostgreSQL the candidate
rows are picked with FOR UPDATE SKIP LOCKED so several processes sweep side by side without
waiting on each other. A claim whose process dies runs out and the nudge is claimed again, so
nothing is lost; each claim carries its sweep's token, and its lease is renewed, once it runs
short, just before each send, so a sweep that outlived its lease sends nothing another sweep has
since claimed. What is said in one thread is claimed in order, and only with everything still
open before it there. Plain messages are marked sent several to a transaction; a nudge whose
sending changes the secondment is marked on its own, with that change. A nudge the request no
longer calls for (the side decided, the terms changed, the request was withdrawn) is cancelled
at claim time instead of being sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db import Sessions
from bot.domain.kinds import Destination, NudgeKind
from bot.domain.nudge_catalogue import IN_THREAD, SAID
from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.domain.states import Side
from bot.models import Nudge, Secondment
from bot.services.check_in_catch_up import put_off
from bot.services.claim_order import in_turn, none_left_behind, not_paused, shown_first, turn_comes
from bot.services.claim_verdicts import ClaimFacts, Verdicts, read_facts
from bot.services.loading import load_record, load_records
from bot.services.outbox import LEASE, THREADED, BornClaimed


@dataclass(frozen=True, slots=True)
class Due:
    """A claimed nudge, ready to send: what it says and to whom, with its secondment's record."""

    nudge_id: int
    kind: NudgeKind
    side: Side | None
    sequence: int
    recipient_id: str | None
    attempts: int
    record: SecondmentRecord
    claim_token: str
    # A MESSAGE's destination and text (see bot/services/outbox.py); None for the other kinds.
    destination: Destination | None = None
    payload: dict[str, Any] | None = None
    # A claim before this one may have reached Slack: ask Slack before sending again.
    maybe_sent: bool = False
    # Where its recipient (or, for HR, the employee) is, for the nudges whose words or day
    # depend on it (`ZONED`); None elsewhere, and where no timezone is known.
    tz: str | None = None
    # No longer true to send, but an earlier attempt may have delivered it: only look for it,
    # and mark it sent if it is there (bot/services/check_in_catch_up.py).
    find_only: bool = False
    # HR's escalation of a request nobody decided: its undecided deciders away, each with their
    # last day away (bot/services/away_holds.py).
    deciders_away: tuple[tuple[str, date], ...] = ()

    @property
    def in_thread(self) -> bool:
        """Speaks in the approval thread: sent in order, one at a time per secondment."""
        return self.kind in IN_THREAD or self.destination in THREADED


async def claim_due(
    sessions: Sessions,
    *,
    now: datetime,
    policy: Policy,
    limit: int = 100,
    secondment_id: int | None = None,
) -> list[Due]:
    """Claim up to `limit` nudges due at `now`: of one secondment, what its changes said (when
    `secondment_id` is given), or of all. What speaks in a thread is claimed only behind
    everything said earlier in that thread, so replies keep the order of the changes. A batch
    whose every nudge turned out not to be for sending now (no longer due, skipped, or held)
    is followed by the next, so that an empty list means nothing is left to send."""
    while True:
        due, claimed = await _claim_batch(
            sessions, now=now, policy=policy, limit=limit, secondment_id=secondment_id
        )
        if due or not claimed:
            return due


async def _claim_batch(
    sessions: Sessions,
    *,
    now: datetime,
    policy: Policy,
    limit: int,
    secondment_id: int | None,
) -> tuple[list[Due], int]:
    """One batch of `claim_due`: what is to be sent, and how many nudges were claimed."""
    token = uuid4().hex
    async with sessions.begin() as session:
        earlier, claimed = await _claim(session, now, limit, secondment_id, token)
        if not claimed:
            return [], 0
        rows = (
            await session.scalars(
                select(Secondment)
                .where(Secondment.id.in_({n.secondment_id for n in claimed}))
                .options(selectinload(Secondment.terms))
            )
        ).all()
        records = {r.id: r for r in await load_records(session, rows, policy)}
        facts = await read_facts(session, claimed, records, policy, now)
        verdicts = Verdicts()
        for nudge in sorted(claimed, key=lambda n: (n.due_at, n.id)):
            item = _due(nudge, records[nudge.secondment_id], token, earlier[nudge.id], facts)
            verdicts.judge(nudge, item, facts, now, policy)
        await put_off(session, verdicts.waiting, verdicts.skipped, now)
        if verdicts.stale:
            await session.execute(
                update(Nudge)
                .where(Nudge.id.in_([d.nudge_id for d in verdicts.stale]))
                .values(
                    cancelled_at=now,
                    claimed_until=None,
                    claim_token=None,
                    last_error="no longer due",
                )
            )
    return verdicts.due, len(claimed)


async def _claim(
    session: AsyncSession, now: datetime, limit: int, secondment_id: int | None, token: str
) -> tuple[dict[int, bool], list[Nudge]]:
    """Claim up to `limit` due nudges for the sweep of `token`: whether an earlier claim may
    have sent each (by id), and the nudges claimed."""
    open_and_due = (
        Nudge.due_at <= now,
        Nudge.sent_at.is_(None),
        Nudge.cancelled_at.is_(None),
        or_(Nudge.claimed_until.is_(None), Nudge.claimed_until < now),
        not_paused(),
        in_turn(now),
        shown_first(),
        *(
            ()
            if secondment_id is None
            else (Nudge.secondment_id == secondment_id, Nudge.kind.in_(SAID))
        ),
    )
    candidates = (
        select(Nudge.id, Nudge.maybe_sent)
        .where(*open_and_due)
        .order_by(turn_comes(), Nudge.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Locked here until commit; rows another sweeper holds are skipped, not waited on.
        candidates = candidates.with_for_update(skip_locked=True)
    # Picked in a statement of their own: inside the UPDATE, PostgreSQL may re-run a
    # LIMIT ... SKIP LOCKED subquery per row and claim more than `limit`.
    # Whether an earlier claim may have sent each: this claim marks them all as maybe sent
    # (whatever it sends may arrive before it can record so), and `release` undoes that.
    earlier = {id_: maybe for id_, maybe in (await session.execute(candidates)).all()}
    ids = list(earlier)
    if not ids:
        return earlier, []
    claimed = (
        await session.scalars(
            update(Nudge)
            # The conditions again: a row another sweeper claimed meanwhile no longer matches.
            .where(Nudge.id.in_(ids), *open_and_due, none_left_behind(ids))
            .values(claimed_until=now + LEASE, claim_token=token, maybe_sent=True)
            .returning(Nudge)
            .execution_options(synchronize_session=False)
        )
    ).all()
    return earlier, list(claimed)


def _due(
    nudge: Nudge, record: SecondmentRecord, token: str, maybe_sent: bool, facts: ClaimFacts
) -> Due:
    """The claimed `nudge`, as it would be sent."""
    tz = facts.tz_of.get((record.team_id, nudge.recipient_id or record.employee_id))
    return Due(
        nudge.id,
        nudge.kind,
        nudge.side,
        nudge.sequence,
        nudge.recipient_id,
        nudge.attempts,
        record,
        token,
        nudge.destination,
        nudge.payload,
        maybe_sent,
        tz,
        deciders_away=facts.away.deciders_away.get(nudge.id, ()),
    )


def born_due(row: BornClaimed, record: SecondmentRecord, token: str) -> Due:
    """A row a change wrote claimed (bot/services/outbox.py), ready to send with the record the
    change left: nothing before this claim can have sent it."""
    said = row.outgoing
    return Due(
        row.nudge_id,
        said.kind,
        None,
        row.sequence,
        said.recipient_id,
        0,
        record,
        token,
        said.destination,
        said.payload,
    )


async def current_record(
    sessions: Sessions, record: SecondmentRecord, policy: Policy
) -> SecondmentRecord | None:
    """`record` as it stands now."""
    async with sessions() as session:
        return await load_record(session, record.team_id, record.id, policy)
