"""Keeping the stored nudges in step with the plan, inside the transaction of each change.

After every change to a request, `reconcile_decision_nudges` compares the nudges the current state
calls for (bot.domain.reminders) with those stored for this round: it cancels the ones no longer
wanted and adds the missing ones. A nudge already sent is never planned again in its round.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.followups import NudgeKind
from bot.domain.policy import Policy
from bot.domain.reminders import DecisionWait, plan_decision_nudges
from bot.domain.states import Side, SideState
from bot.models import Nudge, Secondment
from bot.services.people import timezones

DECISION_NUDGES = (NudgeKind.DECISION_REMINDER, NudgeKind.DECISION_ESCALATION)


async def reconcile_decision_nudges(
    session: AsyncSession, row: Secondment, policy: Policy, now: datetime
) -> None:
    undecided = {
        side: row.delegate_of(side) or row.manager_of(side)
        for side in Side
        if row.state_of(side) is SideState.PENDING
    }
    wait = DecisionWait(row.status, row.round_started_at, row.employee_id, undecided)
    tz_of = await timezones(session, row.team_id, [row.employee_id, *undecided.values()])
    wanted = {p.key: p for p in plan_decision_nudges(wait, tz_of, policy)}

    stored = (
        await session.scalars(
            select(Nudge).where(
                Nudge.secondment_id == row.id,
                Nudge.round == row.round,
                Nudge.kind.in_(DECISION_NUDGES),
            )
        )
    ).all()

    def key_of(nudge: Nudge) -> tuple[NudgeKind, Side | None, int, str | None]:
        return (nudge.kind, nudge.side, nudge.sequence, nudge.recipient_id)

    waiting = [n for n in stored if n.sent_at is None and n.cancelled_at is None]
    # Sent, or given up after trying: done for this round, never planned again.
    done = {key_of(n) for n in stored if n.sent_at is not None or n.attempts > 0}
    have = done | {key_of(n) for n in waiting}
    unwanted = [n.id for n in waiting if key_of(n) not in wanted]
    if unwanted:
        await session.execute(
            update(Nudge)
            .where(Nudge.id.in_(unwanted), Nudge.sent_at.is_(None))
            .values(cancelled_at=now)
        )
    for key, planned in wanted.items():
        if key not in have:
            session.add(
                Nudge(
                    secondment_id=row.id,
                    kind=planned.kind,
                    round=row.round,
                    side=planned.side,
                    sequence=planned.sequence,
                    recipient_id=planned.recipient_id,
                    due_at=planned.due_at,
                    attempts=0,
                    created_at=now,
                )
            )
    # Anything from an earlier round that is still waiting belongs to a wait that is over.
    await session.execute(
        update(Nudge)
        .where(
            Nudge.secondment_id == row.id,
            Nudge.round < row.round,
            Nudge.kind.in_(DECISION_NUDGES),
            Nudge.sent_at.is_(None),
            Nudge.cancelled_at.is_(None),
        )
        .values(cancelled_at=now)
    )
