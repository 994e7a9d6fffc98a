"""The database side of sending nudges: claim what is due (the order and limits of claiming are
in bot/services/claim_order.py; what becomes of each claim, sent or failed, in
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

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import (
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db import Sessions
from bot.domain.catch_up import Skip, Wait, end_ask_current
from bot.domain.kinds import (
    Destination,
    NudgeKind,
)
from bot.domain.nudge_catalogue import (
    CHAINED,
    CHECK_IN_NUDGES,
    IN_THREAD,
    ROUND_KINDS,
    SAID,
    WANTED_IN,
    ZONED,
)
from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.domain.reminders import hr_reminder_due
from bot.domain.states import Side, SideState
from bot.domain.underway_plan import (
    end_decision_ask,
)
from bot.models import Nudge, Secondment
from bot.services.away_holds import away_in_batch
from bot.services.check_in_catch_up import (
    end_asked_at,
    never_asked,
    put_off,
    questions_asked,
    verdict_for,
)
from bot.services.claim_order import (
    in_turn,
    none_left_behind,
    not_paused,
    shown_first,
    turn_comes,
)
from bot.services.loading import load_record, load_records
from bot.services.outbox import (
    LEASE,
    THREADED,
    BornClaimed,
)
from bot.services.people import timezones
from bot.services.reminder_catch_up import chain_verdict_for, round_reminders


@dataclass(frozen=True, slots=True)
class Due:
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


def still_wanted(
    due: Due, round_: int, now: datetime, policy: Policy, tz: str | None = None
) -> bool:
    """Whether the request still calls for this nudge now (a last check before sending). `tz`
    is the recipient's timezone: a day comes when it starts where they are."""
    record = due.record
    if record.status not in WANTED_IN[due.kind]:
        return False
    if due.kind in ROUND_KINDS and record.round != round_:
        return False
    # A check-in's nudges are judged by bot/domain/catch_up.py, which needs what was delivered.
    if due.kind is NudgeKind.END_DECISION:
        # Asked about the end date in force, while undecided, and while it is the current ask.
        version, ask = end_decision_ask(due.sequence)
        current = end_ask_current(ask, record.terms.end_date, now, tz, policy)
        return version == record.terms_version and not record.end_decided and current
    if due.kind is NudgeKind.EXCEPTION_REMINDER:
        # Still undecided, and the latest reminder due: after downtime HR gets one, not two.
        exception = record.exception
        later = hr_reminder_due(record.round_started_at, due.sequence + 1, tz, policy)
        return exception is not None and exception.state is SideState.PENDING and now < later
    if due.kind is NudgeKind.HR_SIDE_REMINDER:
        assert due.side is not None
        side = record.side(due.side)
        if side.state is not SideState.PENDING or side.to_hr_at is None:
            return False
        since = max(record.round_started_at, side.to_hr_at)
        return now < hr_reminder_due(since, due.sequence + 1, tz, policy)
    if due.kind is NudgeKind.DECISION_REMINDER:
        assert due.side is not None
        side = record.side(due.side)
        return side.state is SideState.PENDING and side.decider_id == due.recipient_id
    return True


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
            return [], 0
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
        # Only nudges whose day depends on where the recipient is are checked in their zone.
        zoned = [n for n in claimed if n.kind in ZONED]
        tz_of = {
            (team, person): tz
            for team in {records[n.secondment_id].team_id for n in zoned}
            for person, tz in (
                await timezones(
                    session,
                    team,
                    {
                        n.recipient_id or records[n.secondment_id].employee_id
                        for n in zoned
                        if records[n.secondment_id].team_id == team
                    },
                )
            ).items()
        }
        never_shown = await _never_shown(
            session,
            {
                n.secondment_id
                for n in claimed
                if n.kind in ROUND_KINDS and records[n.secondment_id].thread_ts is None
            },
        )
        asked = await questions_asked(session, claimed)
        end_asked = await end_asked_at(session, claimed, records, now)
        reminders = await round_reminders(session, claimed, policy)
        away = await away_in_batch(session, claimed, records, tz_of, policy, now)
        due: list[Due] = []
        stale: list[Due] = []
        waiting: list[tuple[int, Wait, bool]] = []
        skipped: list[tuple[int, Skip]] = []
        for nudge in sorted(claimed, key=lambda n: (n.due_at, n.id)):
            record = records[nudge.secondment_id]
            tz = tz_of.get((record.team_id, nudge.recipient_id or record.employee_id))
            item = Due(
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
                earlier[nudge.id],
                tz,
                deciders_away=away.deciders_away.get(nudge.id, ()),
            )
            wanted = still_wanted(item, nudge.round, now, policy, tz)
            # A reminder of a request whose thread was given up: the managers never saw it.
            wanted &= not (item.kind in ROUND_KINDS and item.record.id in never_shown)
            if wanted and nudge.id in away.held:
                # Its recipient is away: it waits for their return, then is judged again.
                waiting.append((item.nudge_id, Wait(away.held[nudge.id]), item.maybe_sent))
                continue
            if wanted and item.kind in CHECK_IN_NUDGES:
                match verdict_for(nudge, item.record, asked, now, tz, policy, end_asked):
                    case Wait() as wait:
                        waiting.append((item.nudge_id, wait, item.maybe_sent))
                        continue
                    case Skip() if item.kind is NudgeKind.CHECK_IN and item.maybe_sent:
                        # It may have reached the employee: whether it did decides its miss.
                        due.append(replace(item, find_only=True))
                        continue
                    case Skip() as skip:
                        skipped.append((item.nudge_id, skip))
                        # Claimed in due order, its reminders and mark come after it.
                        never_asked(asked, nudge)
                        continue
            # HR hears on its day of a decision waiting on someone away: it does not wait for
            # the reminders held for their return.
            if wanted and item.kind in CHAINED and not item.deciders_away:
                verdict = chain_verdict_for(nudge, item.record, reminders, now, tz, policy)
                if isinstance(verdict, Wait):
                    waiting.append((item.nudge_id, verdict, item.maybe_sent))
                    continue
            (due if wanted else stale).append(item)
        await put_off(session, waiting, skipped, now)
        if stale:
            await session.execute(
                update(Nudge)
                .where(Nudge.id.in_([d.nudge_id for d in stale]))
                .values(
                    cancelled_at=now,
                    claimed_until=None,
                    claim_token=None,
                    last_error="no longer due",
                )
            )
    return due, len(claimed)


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


async def _never_shown(session: AsyncSession, threadless: set[int]) -> set[int]:
    """Of these secondments without a thread, those whose thread Slack would never open (its
    THREAD_OPEN given up). One from before the outbox, whose thread failed with no such row,
    is still reminded of: its managers decide from the reminder's buttons."""
    if not threadless:
        return set()
    return set(
        await session.scalars(
            select(Nudge.secondment_id).where(
                Nudge.secondment_id.in_(threadless),
                Nudge.kind == NudgeKind.THREAD_OPEN,
                Nudge.sent_at.is_(None),
                Nudge.cancelled_at.is_not(None),
            )
        )
    )
