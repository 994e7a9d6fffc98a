"""Keeping the stored nudges in step with the plan, inside the transaction of each change.

After every change to a request, `reconcile_nudges` compares the nudges the current state calls
for (bot.domain.reminders for decisions, bot.domain.lifecycle once approved) with those stored:
it cancels the ones no longer wanted and adds the missing ones. A waiting nudge whose time moved
(a changed date or timezone) is replaced. One already sent, or given up after trying, is never
planned again: within its round for decision nudges, and ever for the rest, which follow the
secondment across rounds (an end-of-term proposal starts a round, not a second welcome).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.followups import ROUND_KINDS, NudgeKind
from bot.domain.lifecycle import CheckInState, Underway, plan_lifecycle_nudges
from bot.domain.policy import Policy
from bot.domain.reminders import DecisionWait, PlannedNudge, plan_decision_nudges
from bot.domain.states import Side, SideState
from bot.models import CheckIn, Nudge, Secondment, TermsVersion
from bot.services.people import timezones

Key = tuple[NudgeKind, Side | None, int, str | None]


def _key(nudge: Nudge | PlannedNudge) -> Key:
    return (nudge.kind, nudge.side, nudge.sequence, nudge.recipient_id)


async def reconcile_nudges(
    session: AsyncSession, row: Secondment, policy: Policy, now: datetime
) -> None:
    undecided = {
        side: row.delegate_of(side) or row.manager_of(side)
        for side in Side
        if row.state_of(side) is SideState.PENDING
    }
    dates = (
        await session.execute(
            select(TermsVersion.start_date, TermsVersion.end_date).where(
                TermsVersion.secondment_id == row.id, TermsVersion.version == row.terms_version
            )
        )
    ).one()
    check_ins = {
        c.sequence: CheckInState(c.answer is not None, c.missed_at is not None, c.snoozed_until)
        for c in await session.scalars(select(CheckIn).where(CheckIn.secondment_id == row.id))
    }
    people = {row.employee_id, row.home_manager_id, row.host_manager_id, *undecided.values()}
    tz_of = await timezones(session, row.team_id, people)
    plan = plan_decision_nudges(
        DecisionWait(row.status, row.round_started_at, row.employee_id, undecided), tz_of, policy
    ) + plan_lifecycle_nudges(
        Underway(
            row.status,
            dates.start_date,
            dates.end_date,
            row.employee_id,
            row.home_manager_id,
            row.host_manager_id,
            row.check_in_weeks or policy.check_in_every_weeks,
            check_ins,
            row.terms_version,
            end_decided=row.return_confirmed_by is not None or row.outcome is not None,
        ),
        tz_of,
        policy,
    )
    wanted = {(_key(p), p.due_at): p for p in plan}

    stored = (
        await session.scalars(
            select(Nudge).where(
                Nudge.secondment_id == row.id,
                or_(Nudge.round == row.round, Nudge.kind.not_in(ROUND_KINDS)),
            )
        )
    ).all()
    waiting = [n for n in stored if n.sent_at is None and n.cancelled_at is None]
    done = {_key(n) for n in stored if n.sent_at is not None or n.attempts > 0}
    unwanted = [n.id for n in waiting if (_key(n), n.due_at) not in wanted]
    if unwanted:
        await session.execute(
            update(Nudge)
            .where(Nudge.id.in_(unwanted), Nudge.sent_at.is_(None))
            .values(cancelled_at=now)
        )
    have = {(_key(n), n.due_at) for n in waiting}
    for (key, due_at), planned in wanted.items():
        if key in done or (key, due_at) in have:
            continue
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
    # A decision nudge from an earlier round still waiting belongs to a state that has passed.
    await session.execute(
        update(Nudge)
        .where(
            Nudge.secondment_id == row.id,
            Nudge.kind.in_(ROUND_KINDS),
            Nudge.round < row.round,
            Nudge.sent_at.is_(None),
            Nudge.cancelled_at.is_(None),
        )
        .values(cancelled_at=now)
    )
