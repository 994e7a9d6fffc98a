"""The rules of bot/domain/reminder_catch_up.py, applied to what a sweep has claimed: a decision
reminder or HR's escalation goes now, or is put off until the plan's gap after the step before
it has passed.

What happened to the steps before (the round's reminders: when each was due and went out, and
whether one not yet sent still may) is read here, in one query for the whole batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.catch_up import Send, Wait
from bot.domain.kinds import NudgeKind
from bot.domain.nudge_catalogue import CHAINED
from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.domain.reminder_catch_up import Step, chain_verdict, planned_days
from bot.domain.states import Side, SideState
from bot.models import Nudge


@dataclass(frozen=True, slots=True)
class Reminder:
    """One of a round's decision reminders, as it stands."""

    side: Side | None
    sequence: int
    recipient_id: str | None
    step: Step


def _follows(nudge: Nudge) -> bool:
    """Whether a step comes before this one in its chain (the first reminder has none)."""
    return nudge.kind in CHAINED and not (
        nudge.kind is NudgeKind.DECISION_REMINDER and nudge.sequence == 1
    )


async def round_reminders(
    session: AsyncSession, claimed: Iterable[Nudge], policy: Policy
) -> dict[int, list[Reminder]]:
    """For each secondment with a claimed step that follows another: its round's reminders."""
    rounds = {n.secondment_id: n.round for n in claimed if _follows(n)}
    if not rounds:
        return {}
    rows = await session.execute(
        select(
            Nudge.secondment_id,
            Nudge.round,
            Nudge.side,
            Nudge.sequence,
            Nudge.recipient_id,
            Nudge.due_at,
            Nudge.created_at,
            Nudge.sent_at,
            Nudge.cancelled_at,
        ).where(Nudge.kind == NudgeKind.DECISION_REMINDER, Nudge.secondment_id.in_(set(rounds)))
    )
    found: dict[int, list[Reminder]] = {secondment: [] for secondment in rounds}
    for secondment, round_, side, sequence, recipient, due, planned, sent, cancelled in rows:
        if round_ == rounds[secondment]:
            days = planned_days(NudgeKind.DECISION_REMINDER, sequence, policy)
            # Unsent and not cancelled: this sweep holds it, or a later one will send it. Its
            # time is when it was planned, if later than its due time (a delegate's).
            step = Step(days, max(due, planned), sent, sent is None and cancelled is None)
            found[secondment].append(Reminder(side, sequence, recipient, step))
    return found


def chain_verdict_for(
    nudge: Nudge,
    record: SecondmentRecord,
    reminders: dict[int, list[Reminder]],
    now: datetime,
    tz: str | None,
    policy: Policy,
) -> Send | Wait:
    """What becomes of a claimed decision reminder or escalation at `now`."""
    if not _follows(nudge):
        return Send()
    return chain_verdict(
        planned_days(nudge.kind, nudge.sequence, policy),
        [r.step for r in _before(nudge, record, reminders[nudge.secondment_id])],
        now,
        tz,
        policy,
    )


def _before(
    nudge: Nudge, record: SecondmentRecord, reminders: Sequence[Reminder]
) -> list[Reminder]:
    if nudge.kind is NudgeKind.DECISION_REMINDER:
        return [
            r
            for r in reminders
            if (r.side, r.recipient_id, r.sequence)
            == (nudge.side, nudge.recipient_id, nudge.sequence - 1)
        ]
    # HR's escalation: after the reminders of whoever still has to decide.
    undecided = {(s.side, s.decider_id) for s in record.sides if s.state is SideState.PENDING}
    return [r for r in reminders if (r.side, r.recipient_id) in undecided]
