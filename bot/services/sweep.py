"""The database side of sending nudges: claim what is due, then mark each one sent or failed.

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

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple
from uuid import uuid4

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from bot.db import Sessions
from bot.domain.catch_up import Skip, Wait, end_ask_current
from bot.domain.kinds import (
    Destination,
    EscalationKind,
    NudgeKind,
    Posted,
)
from bot.domain.nudge_catalogue import (
    CHAINED,
    CHANGES_STATE,
    CHECK_IN_NUDGES,
    IN_THREAD,
    ROUND_KINDS,
    SAID,
    SILENT,
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
from bot.models import Nudge, PausedWorkspace, Secondment
from bot.services.audit import event_row, record_event, record_events
from bot.services.away_holds import away_in_batch
from bot.services.check_in_catch_up import (
    end_asked_at,
    never_asked,
    put_off,
    questions_asked,
    verdict_for,
)
from bot.services.checkins import mark_missed
from bot.services.escalations import raise_escalation
from bot.services.loading import load_record, load_records
from bot.services.outbox import (
    LEASE,
    NUDGES,
    THREADED,
    Announce,
    BornClaimed,
    Outgoing,
    in_thread,
    quiet,
    said,
    write_outbox,
)
from bot.services.pauses import pause_in
from bot.services.people import timezones
from bot.services.reminder_catch_up import chain_verdict_for, round_reminders
from bot.services.start_and_objectives import activate


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
            _not_paused(),
            _in_turn(now),
            _shown_first(),
            *(
                ()
                if secondment_id is None
                else (Nudge.secondment_id == secondment_id, Nudge.kind.in_(SAID))
            ),
        )
        candidates = (
            select(Nudge.id, Nudge.maybe_sent)
            .where(*open_and_due)
            .order_by(_turn_comes(), Nudge.id)
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
                .where(Nudge.id.in_(ids), *open_and_due, _none_left_behind(ids))
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
                    _not_paused(),
                )
            )
        ).one()
    return (timedelta(0) if oldest is None else now - oldest), depth


def _in_turn(now: datetime) -> ColumnElement[bool]:
    """Nothing said earlier in the same thread waits behind this nudge: not for a retry, nor
    in another sweep's hands. (Earlier ones that are due and free are claimed with it, and
    sent first.)"""
    earlier = aliased(Nudge)
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


def _turn_comes() -> ColumnElement[Any]:
    """When a nudge's turn comes: its due time, or for what is said in a thread, the latest due
    time of what is still open there up to it (a reply put off to its retry holds the newer
    ones back). Claimed in this order, a limit never takes a thread's message without those
    before it."""
    upto = aliased(Nudge)
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


def _none_left_behind(ids: list[int]) -> ColumnElement[bool]:
    """Everything said before the nudge in its thread, and still open, is claimed with it. On
    PostgreSQL, a row another sweep has locked but not yet claimed is skipped, and what follows
    it in the thread must wait for that sweep."""
    earlier = aliased(Nudge)
    return or_(
        ~in_thread(Nudge),
        ~exists().where(_open_earlier_in_thread(earlier), earlier.id.not_in(ids)),
    )


def _shown_first() -> ColumnElement[bool]:
    """A reminder (or HR's escalation) of a request waits for the thread that shows it to the
    managers: while Slack has not opened it, a reminder would be the first they hear of it.
    (One whose thread was given up is cancelled when claimed: see `_never_shown`.)"""
    opening = aliased(Nudge)
    return or_(
        Nudge.kind.not_in(ROUND_KINDS),
        ~exists().where(
            opening.secondment_id == Nudge.secondment_id,
            opening.kind == NudgeKind.THREAD_OPEN,
            opening.sent_at.is_(None),
            opening.cancelled_at.is_(None),
        ),
    )


def _not_paused() -> ColumnElement[bool]:
    """The nudge's workspace is not paused (bot/services/pauses.py), or it sends nothing: a
    paused workspace's messages wait, unclaimed, and their backlog is not the sweep's lag."""
    return or_(
        Nudge.kind.in_(SILENT),
        ~exists().where(
            Secondment.id == Nudge.secondment_id, PausedWorkspace.team_id == Secondment.team_id
        ),
    )


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
    nudges = NUDGES.c
    marked: set[int] = set()
    waiting: set[int] = set()
    ours: set[int] = set()
    async with sessions.begin() as session:
        if delivered:
            ids = [d.nudge_id for d in delivered]
            behind = _FREE_BEHIND if look_behind else false()
            if look_behind:
                await _hold_still(session, {d.record.id for d in delivered})
            rows = await session.execute(
                update(NUDGES)
                .where(nudges.id.in_(ids), nudges.sent_at.is_(None))
                .values({**sent_columns(sent_at), **_posted_columns(posted or {})})
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
                [
                    _sent_event(d, sent_at)
                    for d in delivered
                    if d.nudge_id in marked and d.kind not in SAID
                ],
            )
        if renewing:
            ours = set(
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
    return Renewed([d for d in renewing if d.nudge_id in ours], marked, waiting)


def _posted_columns(posted: Mapping[int, Posted]) -> dict[str, Any]:
    """Where each of `posted` landed, set in the same UPDATE that marks them sent."""
    if not posted:
        return {}
    ids = NUDGES.c.id
    return {
        "posted_channel": case({k: p.channel for k, p in posted.items()}, value=ids),
        "posted_ts": case({k: p.ts for k, p in posted.items()}, value=ids),
    }


class Renewed(NamedTuple):
    ours: list[Due]
    marked: set[int]
    waiting: set[int]


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


async def mark_sent(
    sessions: Sessions,
    due: Due,
    *,
    now: datetime,
    policy: Policy,
    announce: Announce[SecondmentRecord] = quiet,
) -> SecondmentRecord | None:
    """Record the nudge as sent (once); an escalation also becomes an escalation record, and
    what `announce` makes of the change is written with it. Returns the request as it now
    stands, or None if the nudge was already marked."""
    async with sessions.begin() as session:
        marked = (
            await session.execute(
                update(Nudge)
                .where(Nudge.id == due.nudge_id, Nudge.sent_at.is_(None))
                .values(sent_columns(now))
                .returning(Nudge.cancelled_at, Nudge.round)
            )
        ).first()
        if marked is None:
            return None
        cancelled_meanwhile, round_ = marked
        current_round = await session.scalar(
            select(Secondment.round).where(Secondment.id == due.record.id)
        )
        # If the request moved on while the message was on its way, there is nothing to do.
        same_round = round_ == current_round or due.kind not in ROUND_KINDS
        changes = cancelled_meanwhile is None and same_round
        if changes:
            if due.kind is NudgeKind.DECISION_ESCALATION:
                await raise_escalation(
                    session, due.record, EscalationKind.NO_DECISION, None, None, now
                )
            elif due.kind is NudgeKind.SECONDMENT_START:
                await activate(session, due.record, round_, policy, now)
            elif due.kind is NudgeKind.CHECK_IN_MISSED:
                await mark_missed(session, due.record, due.sequence, now)
        await record_events(session, [_sent_event(due, now)])
        await session.flush()
        updated = await load_record(session, due.record.team_id, due.record.id, policy)
        if changes and updated is not None:
            await said(session, announce, updated, updated.id, now)
        return updated


def sent_columns(at: datetime) -> dict[str, Any]:
    """A nudge's columns once it is sent at `at`: the claim released, the attempt counted."""
    return {
        "sent_at": at,
        "claimed_until": None,
        "claim_token": None,
        "attempts": Nudge.attempts + 1,
        "maybe_sent": False,
        # Slack has the words now; the outbox keeps no copy of them.
        "payload": None,
    }


def _sent_event(due: Due, now: datetime) -> dict[str, Any]:
    return event_row(
        secondment_id=due.record.id,
        actor_id="bot",
        action=f"nudge_sent_{due.kind.value}",
        terms_version=due.record.terms_version,
        at=now,
        recipient_id=due.recipient_id,
        sequence=due.sequence,
    )


async def hold_for_paused_workspace(
    sessions: Sessions, due: Due, *, error: str, now: datetime, token_fingerprint: str | None
) -> None:
    """Slack refused the workspace's token (or it has none): pause the workspace, and hand the
    nudge back unsent, its attempts untouched, to wait for the resume."""
    async with sessions.begin() as session:
        await pause_in(
            session,
            team_id=due.record.team_id,
            reason=error,
            now=now,
            token_fingerprint=token_fingerprint,
        )
        await _release(session, due)


async def release(sessions: Sessions, due: Due) -> None:
    """Hand a claimed nudge back unsent, its attempts untouched: this claim sent nothing."""
    async with sessions.begin() as session:
        await _release(session, due)


async def _release(session: AsyncSession, due: Due) -> None:
    await session.execute(
        update(Nudge)
        .where(Nudge.id == due.nudge_id, Nudge.claim_token == due.claim_token)
        .values(claimed_until=None, claim_token=None, maybe_sent=due.maybe_sent)
    )


async def mark_failed(
    sessions: Sessions,
    due: Due,
    *,
    error: str,
    now: datetime,
    retry_at: datetime | None,
    maybe_sent: bool = False,
    then: Sequence[Outgoing] = (),
    instead: Callable[[AsyncSession], Awaitable[bool]] | None = None,
    first: Callable[[AsyncSession], Awaitable[None]] | None = None,
) -> None:
    """Record a failed attempt: try again at `retry_at`, or give up when it is None and say
    `then` (who must know) with it; unless `instead`, run in the same transaction once given
    up, says True: it has dealt with it, and said so itself. `maybe_sent`: the attempt may have
    reached Slack all the same (it timed out), so Slack is asked before the next one. `first`
    takes the locks `instead` needs before the nudge's own: secondments before their nudges, as
    every change takes them."""
    async with sessions.begin() as session:
        if first is not None:
            await first(session)
        values: dict[str, object] = {
            "attempts": Nudge.attempts + 1,
            "last_error": error[:200],
            "claimed_until": None,
            "claim_token": None,
            "maybe_sent": maybe_sent,
        }
        # Given up, a message keeps no copy of its words: it will never be sent.
        values |= {"due_at": retry_at} if retry_at else {"cancelled_at": now, "payload": None}
        result = await session.execute(
            update(Nudge)
            .where(
                Nudge.id == due.nudge_id,
                # Still this claim's: another sweeper may have claimed it again after this
                # one's lease ran out (and may have delivered it), or a change cancelled it.
                Nudge.claim_token == due.claim_token,
                Nudge.sent_at.is_(None),
                Nudge.cancelled_at.is_(None),
            )
            .values(values)
        )
        if retry_at is None and result.rowcount == 1:  # type: ignore[attr-defined]
            record_event(
                session,
                secondment_id=due.record.id,
                actor_id="bot",
                action="nudge_undeliverable",
                terms_version=due.record.terms_version,
                at=now,
                recipient_id=due.recipient_id,
                error=error,
            )
            if instead is None or not await instead(session):
                await write_outbox(session, due.record.id, then, now)
