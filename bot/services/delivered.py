"""Recording what a sweep did with what it claimed: a nudge whose sending changes its secondment
marked sent alone, with that change; claims handed back unsent; and failed attempts tried again
or given up, with who must know. Plain messages are marked many to a transaction, with the next
renewal of claims (bot/services/renewals.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions
from bot.domain.kinds import EscalationKind, NudgeKind
from bot.domain.nudge_catalogue import ROUND_KINDS
from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.models import Nudge, Secondment
from bot.services.audit import event_row, record_event, record_events
from bot.services.checkins import mark_missed
from bot.services.escalations import raise_escalation
from bot.services.loading import load_record
from bot.services.outbox import Announce, Outgoing, quiet, said, write_outbox
from bot.services.pauses import pause_in
from bot.services.start_and_objectives import activate
from bot.services.sweep import Due


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
        await record_events(session, [sent_event(due, now)])
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


def sent_event(due: Due, now: datetime) -> dict[str, Any]:
    """The audit event of a nudge sent at `now`."""
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
    """Hand the claim back, inside `session`'s transaction."""
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
            .values(_failed_columns(error, now, retry_at, maybe_sent))
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


def _failed_columns(
    error: str, now: datetime, retry_at: datetime | None, maybe_sent: bool
) -> dict[str, object]:
    """A nudge's columns after a failed attempt: tried again at `retry_at`, or given up."""
    values: dict[str, object] = {
        "attempts": Nudge.attempts + 1,
        "last_error": error[:200],
        "claimed_until": None,
        "claim_token": None,
        "maybe_sent": maybe_sent,
    }
    # Given up, a message keeps no copy of its words: it will never be sent.
    values |= {"due_at": retry_at} if retry_at else {"cancelled_at": now, "payload": None}
    return values
