"""What the sweep holds while its recipient is away, and what it sends to HR instead of waiting.

docs/DOMAIN.md friction 3 (never without a way forward), and bot/domain/absences.py: nothing is
sent to someone away; what is for them waits until their first working day back, and then the
catch-up rules judge it as they would after any delay (a check-in's reminder follows its
question by a working day, and so on). A missed check-in is marked only a working day after that
return, once its reminder has gone. HR's escalation of a request nobody decided does not wait
for reminders held for a decider who is away: it goes on its day, and says who is away.

Read here, in one query for a whole claimed batch; and for what a change says, which is written
free for the sweep to hold when its recipient is away (`away_among`, from bot/services/outbox.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.calendar import working_days_later
from bot.domain.kinds import Destination, NudgeKind
from bot.domain.nudge_catalogue import Audience, kinds_where
from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.domain.states import SideState
from bot.models import Absence, Nudge, Secondment

# A direct message to its recipient: these wait while the recipient is away.
TO_THEM = kinds_where(lambda e: e.audience is Audience.PERSON)


@dataclass(frozen=True, slots=True)
class AwayNow:
    """Someone away at the sweep's `now`: their last day away, and when they are back."""

    last_day: date
    back_at: datetime


@dataclass(frozen=True, slots=True)
class AwayInBatch:
    """For a claimed batch: until when each nudge for someone away waits (by nudge id), and for
    each escalation, the undecided deciders away (by nudge id: person and last day away)."""

    held: Mapping[int, datetime]
    deciders_away: Mapping[int, tuple[tuple[str, date], ...]]


async def away_in_batch(
    session: AsyncSession,
    claimed: Iterable[Nudge],
    records: Mapping[int, SecondmentRecord],
    tz_of: Mapping[tuple[str, str], str | None],
    policy: Policy,
    now: datetime,
) -> AwayInBatch:
    """Who in a claimed batch is away now, and until when their nudges wait."""
    claimed = list(claimed)
    wanted = {
        (records[n.secondment_id].team_id, person)
        for n in claimed
        for person in _people(n, records[n.secondment_id])
    }
    away = await _away_now(session, wanted, now)
    if not away:
        return AwayInBatch({}, {})
    held: dict[int, datetime] = {}
    deciders: dict[int, tuple[tuple[str, date], ...]] = {}
    for nudge in claimed:
        record = records[nudge.secondment_id]
        if nudge.kind is NudgeKind.DECISION_ESCALATION:
            gone = tuple(
                (p, away[(record.team_id, p)].last_day)
                for p in _people(nudge, record)
                if (record.team_id, p) in away
            )
            if gone:
                deciders[nudge.id] = gone
            continue
        for person in _people(nudge, record):
            if (back := away.get((record.team_id, person))) is None:
                continue
            if nudge.kind is NudgeKind.CHECK_IN_MISSED:
                # Its reminder goes on the day they are back; the mark a working day after.
                tz = tz_of.get((record.team_id, person))
                held[nudge.id] = working_days_later(back.back_at, 1, tz, policy)
            else:
                held[nudge.id] = back.back_at
    return AwayInBatch(held, deciders)


async def away_among(
    session: AsyncSession, secondment_id: int, people: set[str], now: datetime
) -> set[str]:
    """Of `people` in a secondment's workspace, those away at `now`: what a change says to them
    is left to the sweep, which holds it, instead of being sent right after the change."""
    if not people:
        return set()
    team = select(Secondment.team_id).where(Secondment.id == secondment_id).scalar_subquery()
    rows = await session.scalars(
        select(Absence.person_id).where(
            Absence.team_id == team,
            Absence.person_id.in_(sorted(people)),
            Absence.cancelled_at.is_(None),
            Absence.starts_at <= now,
            Absence.ends_at > now,
        )
    )
    return set(rows)


def _people(nudge: Nudge, record: SecondmentRecord) -> tuple[str, ...]:
    """Whose absence holds `nudge` (or, for HR's escalation, whose absence it names)."""
    if nudge.kind is NudgeKind.DECISION_ESCALATION:
        return tuple(s.decider_id for s in record.sides if s.state is SideState.PENDING)
    if nudge.kind is NudgeKind.CHECK_IN_MISSED:
        return (record.employee_id,)
    to_them = nudge.kind in TO_THEM or (
        nudge.kind is NudgeKind.MESSAGE and nudge.destination is Destination.PERSON
    )
    return (nudge.recipient_id,) if to_them and nudge.recipient_id else ()


async def _away_now(
    session: AsyncSession, people: set[tuple[str, str]], now: datetime
) -> dict[tuple[str, str], AwayNow]:
    """Of `people` (team, person), those away at `now`, until their first working day back."""
    if not people:
        return {}
    rows = await session.execute(
        select(Absence.team_id, Absence.person_id, Absence.last_day, Absence.ends_at)
        .where(
            tuple_(Absence.team_id, Absence.person_id).in_(sorted(people)),
            Absence.cancelled_at.is_(None),
            Absence.starts_at <= now,
            Absence.ends_at > now,
        )
        .order_by(Absence.ends_at)
    )
    # The latest return wins: time away entered back to back holds until the last of it.
    return {(team, person): AwayNow(last, back) for team, person, last, back in rows}
