"""Keeping the stored nudges in step with the plan, inside the transaction of each change.

After every change to a request, `reconcile_nudges` compares the nudges the current state calls
for (bot.domain.reminders for decisions, bot.domain.underway_plan once approved) with those stored:
it cancels the ones no longer wanted and adds the missing ones. A waiting nudge whose time moved
(a changed date or timezone) is replaced. One already sent, or given up after trying, is never
planned again: within its round for decision nudges, and ever for the rest, which follow the
secondment across rounds (an end-of-term proposal starts a round, not a second welcome).

It reads only what the plan needs: no timezones or stored nudges when the state calls for none,
and at most one statement each to cancel and to add.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, and_, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.catch_up import SKIPPED
from bot.domain.kinds import NudgeKind
from bot.domain.nudge_catalogue import ROUND_KINDS, SAID
from bot.domain.policy import Policy
from bot.domain.reminders import DecisionWait, PlannedNudge, plan_decision_nudges
from bot.domain.states import Side, SideState
from bot.domain.underway_plan import CheckInState, Underway, plan_underway_nudges
from bot.models import Nudge
from bot.services.loading import Loaded
from bot.services.people import TimeZones, timezones

Key = tuple[NudgeKind, Side | None, int, str | None]


def _key(nudge: Nudge | PlannedNudge) -> Key:
    return (nudge.kind, nudge.side, nudge.sequence, nudge.recipient_id)


def _undecided(loaded: Loaded) -> dict[Side, str]:
    """Whoever decides each side still to be decided: the manager, or their delegate. A side HR
    decides (its decider's account was deactivated) is left out: HR has it already."""
    row = loaded.row
    return {
        side: row.delegate_of(side) or row.manager_of(side)
        for side in Side
        if row.state_of(side) is SideState.PENDING and row.to_hr_at(side) is None
    }


def _plan(loaded: Loaded, tz_of: TimeZones, policy: Policy) -> list[PlannedNudge]:
    row = loaded.row
    terms = next(t for t in row.terms if t.version == row.terms_version)
    check_ins = {
        c.sequence: CheckInState(c.answer is not None, c.missed_at is not None, c.snoozed_until)
        for c in loaded.check_ins
    }
    return plan_decision_nudges(
        DecisionWait(
            row.status,
            row.round_started_at,
            row.employee_id,
            _undecided(loaded),
            exception_asked=row.hr_state is SideState.PENDING,
            hr_sides={
                side: since
                for side in Side
                if row.state_of(side) is SideState.PENDING
                and (since := row.to_hr_at(side)) is not None
            },
        ),
        tz_of,
        policy,
    ) + plan_underway_nudges(
        Underway(
            row.status,
            terms.start_date,
            terms.end_date,
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


async def reconcile_nudges(
    session: AsyncSession,
    loaded: Loaded,
    policy: Policy,
    now: datetime,
    *,
    known_tz: TimeZones | None = None,
    new: bool = False,
) -> None:
    """Bring the stored nudges in step with the plan for `loaded` as it now stands.

    `known_tz`: timezones the caller already has (the people cache holds the same), so only the
    others are read. `new`: the secondment was created in this transaction, so nothing is stored.
    """
    row = loaded.row
    # Which nudges a state wants never depends on where people are, only when each falls due:
    # a state that wants none (blocked, withdrawn) needs no timezones, and every waiting nudge
    # goes, whatever is stored.
    if not _plan(loaded, {}, policy):
        if not new:
            await _cancel_all_waiting(session, row.id, now)
        return
    known = dict(known_tz or {})
    people = {row.employee_id, row.home_manager_id, row.host_manager_id}
    people |= set(_undecided(loaded).values())
    tz_of = known | await timezones(session, row.team_id, people - known.keys())
    wanted = {(_key(p), p.due_at): p for p in _plan(loaded, tz_of, policy)}
    stored: list[Nudge] = []
    if not new:
        stored = await _stored(session, row.id, row.round)
    unwanted, missing = _compare(stored, wanted, row.round)
    if unwanted:
        await _cancel(session, unwanted, now)
    if missing:
        await _add(session, row.id, row.round, missing, now)


def _compare(
    stored: list[Nudge], wanted: dict[tuple[Key, datetime], PlannedNudge], round_: int
) -> tuple[list[int], list[PlannedNudge]]:
    """The waiting nudges the plan no longer wants (their ids), and the planned ones missing:
    neither waiting at the same time nor done already."""
    waiting = [n for n in stored if n.sent_at is None and n.cancelled_at is None]
    done = {
        _key(n)
        for n in stored
        if _this_round(n, round_)
        and (n.sent_at is not None or n.attempts > 0 or n.last_error in SKIPPED)
    }
    have = {(_key(n), n.due_at) for n in waiting if _this_round(n, round_)}
    # A decision nudge from an earlier round still waiting belongs to a state that has passed.
    unwanted = [
        n.id for n in waiting if not _this_round(n, round_) or (_key(n), n.due_at) not in wanted
    ]
    missing = [
        planned
        for (key, due_at), planned in wanted.items()
        if key not in done and (key, due_at) not in have
    ]
    return unwanted, missing


def _this_round(nudge: Nudge, round_: int) -> bool:
    """`nudge` belongs to the current round: a decision nudge of it, or any other kind."""
    return nudge.kind not in ROUND_KINDS or nudge.round == round_


async def _cancel_all_waiting(session: AsyncSession, secondment_id: int, now: datetime) -> None:
    """Cancel every planned nudge of the secondment still waiting."""
    await session.execute(
        update(Nudge)
        .where(
            Nudge.secondment_id == secondment_id,
            Nudge.kind.not_in(SAID),
            Nudge.sent_at.is_(None),
            Nudge.cancelled_at.is_(None),
        )
        .values(cancelled_at=now)
    )


async def _stored(session: AsyncSession, secondment_id: int, round_: int) -> list[Nudge]:
    """The planned nudges the comparison needs: this round's, the other kinds', and any waiting."""
    return list(
        await session.scalars(
            select(Nudge).where(
                Nudge.secondment_id == secondment_id,
                Nudge.kind.not_in(SAID),
                or_(
                    Nudge.round == round_,
                    Nudge.kind.not_in(ROUND_KINDS),
                    and_(Nudge.sent_at.is_(None), Nudge.cancelled_at.is_(None)),
                ),
            )
        )
    )


async def _cancel(session: AsyncSession, unwanted: list[int], now: datetime) -> None:
    """Cancel the waiting nudges the plan no longer wants."""
    await session.execute(
        update(Nudge)
        .where(Nudge.id.in_(unwanted), Nudge.sent_at.is_(None))
        .values(cancelled_at=now)
    )


async def _add(
    session: AsyncSession,
    secondment_id: int,
    round_: int,
    missing: list[PlannedNudge],
    now: datetime,
) -> None:
    """Store the planned nudges not stored yet, in one statement."""
    # The rows as parameters of one statement, not a VALUES list: the statement is compiled
    # once and then reused, where a VALUES list of rows was compiled anew on every change.
    await session.execute(
        insert(cast(Table, Nudge.__table__)),
        [
            {
                "secondment_id": secondment_id,
                "kind": planned.kind,
                "round": round_,
                "side": planned.side,
                "sequence": planned.sequence,
                "recipient_id": planned.recipient_id,
                "due_at": planned.due_at,
                "attempts": 0,
                "created_at": now,
            }
            for planned in missing
        ],
    )
