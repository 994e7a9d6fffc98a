"""Recording what a sweep did with what it claimed: claims renewed just before each send,
messages marked sent (many to a transaction, or alone with the change their sending makes),
claims handed back unsent, and failed attempts tried again or given up, with who must know.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    bindparam,
    case,
    false,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions
from bot.domain.kinds import (
    EscalationKind,
    NudgeKind,
    Posted,
)
from bot.domain.nudge_catalogue import (
    CHANGES_STATE,
    ROUND_KINDS,
    SAID,
)
from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.models import Nudge, Secondment
from bot.services.audit import event_row, record_event, record_events
from bot.services.checkins import mark_missed
from bot.services.escalations import raise_escalation
from bot.services.loading import load_record
from bot.services.outbox import (
    LEASE,
    NUDGES,
    Announce,
    Outgoing,
    quiet,
    said,
    write_outbox,
)
from bot.services.pauses import pause_in
from bot.services.start_and_objectives import activate
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
