"""What a claim makes of each nudge it took: to be sent now, held until it may go, skipped, or
cancelled as no longer due; and what the claim reads, once a batch, to judge them (where each
recipient is, which threads were never shown, what became of the check-ins' questions and the
round's reminders, who is away).

Used by bot/services/sweep.py `claim_due`, inside the claim's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.catch_up import Asked, Skip, Wait, end_ask_current
from bot.domain.kinds import NudgeKind
from bot.domain.nudge_catalogue import CHAINED, CHECK_IN_NUDGES, ROUND_KINDS, WANTED_IN, ZONED
from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.domain.reminders import hr_reminder_due
from bot.domain.states import SideState
from bot.domain.underway_plan import end_decision_ask
from bot.models import Nudge
from bot.services.away_holds import AwayInBatch, away_in_batch
from bot.services.check_in_catch_up import end_asked_at, never_asked, questions_asked, verdict_for
from bot.services.people import timezones
from bot.services.reminder_catch_up import Reminder, chain_verdict_for, round_reminders

if TYPE_CHECKING:
    # Only named: bot/services/sweep.py builds each Due, and imports this module to judge it.
    from bot.services.sweep import Due


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


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """What a claim reads, once a batch, to judge the nudges it took."""

    # Where each recipient (or, for HR, the employee) is: by (workspace, person).
    tz_of: dict[tuple[str, str], str | None]
    # Secondments whose thread Slack would never open (see `_never_shown`).
    never_shown: set[int]
    # What became of each check-in's question; noted as questions are skipped (`never_asked`).
    asked: dict[tuple[int, int], Asked]
    end_asked: dict[int, datetime]
    reminders: dict[int, list[Reminder]]
    away: AwayInBatch


async def read_facts(
    session: AsyncSession,
    claimed: list[Nudge],
    records: dict[int, SecondmentRecord],
    policy: Policy,
    now: datetime,
) -> ClaimFacts:
    """Read what judging the nudges `claimed` needs, in the claim's transaction."""
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
    return ClaimFacts(tz_of, never_shown, asked, end_asked, reminders, away)


@dataclass(slots=True)
class Verdicts:
    """A claimed batch, judged: to send now, cancelled as no longer due, held until they may go
    (id, until when, whether an earlier claim may have sent it), and skipped (id, why)."""

    due: list[Due] = field(default_factory=list)
    stale: list[Due] = field(default_factory=list)
    waiting: list[tuple[int, Wait, bool]] = field(default_factory=list)
    skipped: list[tuple[int, Skip]] = field(default_factory=list)

    def judge(
        self, nudge: Nudge, item: Due, facts: ClaimFacts, now: datetime, policy: Policy
    ) -> None:
        """Judge one claimed nudge (`item`, as it would be sent), in due order."""
        tz = item.tz
        wanted = still_wanted(item, nudge.round, now, policy, tz)
        # A reminder of a request whose thread was given up: the managers never saw it.
        wanted &= not (item.kind in ROUND_KINDS and item.record.id in facts.never_shown)
        if wanted and nudge.id in facts.away.held:
            # Its recipient is away: it waits for their return, then is judged again.
            self.waiting.append((item.nudge_id, Wait(facts.away.held[nudge.id]), item.maybe_sent))
            return
        if wanted and item.kind in CHECK_IN_NUDGES:
            asked, end_asked = facts.asked, facts.end_asked
            match verdict_for(nudge, item.record, asked, now, tz, policy, end_asked):
                case Wait() as wait:
                    self.waiting.append((item.nudge_id, wait, item.maybe_sent))
                    return
                case Skip() if item.kind is NudgeKind.CHECK_IN and item.maybe_sent:
                    # It may have reached the employee: whether it did decides its miss.
                    self.due.append(replace(item, find_only=True))
                    return
                case Skip() as skip:
                    self.skipped.append((item.nudge_id, skip))
                    # Claimed in due order, its reminders and mark come after it.
                    never_asked(asked, nudge)
                    return
        # HR hears on its day of a decision waiting on someone away: it does not wait for
        # the reminders held for their return.
        if wanted and item.kind in CHAINED and not item.deciders_away:
            verdict = chain_verdict_for(nudge, item.record, facts.reminders, now, tz, policy)
            if isinstance(verdict, Wait):
                self.waiting.append((item.nudge_id, verdict, item.maybe_sent))
                return
        (self.due if wanted else self.stale).append(item)


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
