"""A person's time away: entered, listed and cancelled (`/secondment away`, the App Home).

Entering or cancelling time away that has begun hands decisions over, or back, in the same
transaction (bot/services/away_handover.py), so the thread says so at once; time away ahead
begins when the sweep reaches its first day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions
from bot.domain.absences import AbsenceForm, Away, AwayChanged, Handed, validate_absence, window
from bot.domain.actor import Actor
from bot.domain.errors import InvalidInput
from bot.domain.kinds import NudgeKind
from bot.domain.people import Person, today_for
from bot.domain.policy import Policy
from bot.domain.states import SideState, Status
from bot.models import Absence, Nudge, Secondment
from bot.services.audit import record_event
from bot.services.away_handover import begin_due, end_due
from bot.services.outbox import Announce
from bot.services.people import remember_people, today_of

# The advisory lock's class for one person's absences (PostgreSQL; SQLite's writers take turns).
_PERSON_LOCK = 7_116_001


async def add_absence(
    sessions: Sessions,
    *,
    actor: Actor,
    person: Person,
    form: AbsenceForm,
    delegate: Person | None,
    announce: Announce[Handed],
) -> AwayChanged:
    """Store `person`'s time away (`delegate`: Slack's word on the one named, if any), or raise
    InvalidInput by field. The same dates sent again (a retried form) are the same absence."""
    async with sessions.begin() as session:
        await _lock_person(session, actor.team_id, person.id)
        ahead = await _ahead(session, actor.team_id, person.id, actor.now)
        if _entered_already(ahead, form):
            return AwayChanged(ahead, [])
        await _check_form(
            session, actor.team_id, person, form, delegate, ahead, actor.policy, actor.now
        )
        absence_id = await _store(session, actor.team_id, person, form, actor.policy, actor.now)
        # Time away that has begun already (it starts today) hands decisions over now.
        handed = await begin_due(session, announce, actor.policy, actor.now, absence_id)
        # After the requests' rows: every change takes those first.
        await remember_people(
            session, actor.team_id, [person, *([delegate] if delegate else [])], actor.now
        )
        return AwayChanged(await _ahead(session, actor.team_id, person.id, actor.now), handed)


def _entered_already(ahead: list[Away], form: AbsenceForm) -> bool:
    """The same dates and delegate are stored already (a retried form)."""
    entered = (form.first_day, form.last_day, form.delegate_id)
    return any((a.first_day, a.last_day, a.delegate_id) == entered for a in ahead)


async def _check_form(
    session: AsyncSession,
    team_id: str,
    person: Person,
    form: AbsenceForm,
    delegate: Person | None,
    ahead: list[Away],
    policy: Policy,
    now: datetime,
) -> None:
    """Raise InvalidInput by field if the form cannot be stored as entered."""
    errors = validate_absence(
        form.first_day,
        form.last_day,
        person_id=person.id,
        today=today_for(person, now),
        others=[(a.first_day, a.last_day) for a in ahead],
        delegate=delegate,
        delegate_named=form.delegate_id is not None,
        policy=policy,
    )
    if not errors and form.delegate_id:
        errors = await _delegate_has_a_part(session, team_id, person.id, form.delegate_id)
    if errors:
        raise InvalidInput(errors)


async def _store(
    session: AsyncSession,
    team_id: str,
    person: Person,
    form: AbsenceForm,
    policy: Policy,
    now: datetime,
) -> int:
    """Add the checked time away, with its audit event; its id."""
    assert form.first_day is not None and form.last_day is not None
    span = window(form.first_day, form.last_day, person.tz, policy)
    absence = Absence(
        team_id=team_id,
        person_id=person.id,
        first_day=form.first_day,
        last_day=form.last_day,
        starts_at=span.starts_at,
        ends_at=span.ends_at,
        delegate_id=form.delegate_id,
        created_at=now,
    )
    session.add(absence)
    await session.flush()
    record_event(
        session,
        secondment_id=None,
        actor_id=person.id,
        action="away_added",
        terms_version=None,
        at=now,
        # The dates and the delegate are on the absence, which an erasure deletes.
        absence_id=absence.id,
    )
    return absence.id


async def cancel_absence(
    sessions: Sessions, *, actor: Actor, absence_id: int, announce: Announce[Handed]
) -> AwayChanged:
    """Cancel one of `person_id`'s absences, once: decisions handed over come back now, and
    anything held for it goes out at the next sweep. One already cancelled or over (a second
    click), or not theirs, changes nothing."""
    handed: list[Handed] = []
    async with sessions.begin() as session:
        await _lock_person(session, actor.team_id, actor.user_id)
        cancelled = await session.execute(
            update(Absence)
            .where(
                Absence.id == absence_id,
                Absence.team_id == actor.team_id,
                Absence.person_id == actor.user_id,
                Absence.cancelled_at.is_(None),
                Absence.ended_at.is_(None),
                Absence.ends_at > actor.now,
            )
            .values(cancelled_at=actor.now)
        )
        if cancelled.rowcount == 1:  # type: ignore[attr-defined]
            record_event(
                session,
                secondment_id=None,
                actor_id=actor.user_id,
                action="away_cancelled",
                terms_version=None,
                at=actor.now,
                absence_id=absence_id,
            )
            handed = await end_due(session, announce, actor.policy, actor.now, absence_id)
        ahead = await _ahead(session, actor.team_id, actor.user_id, actor.now)
    if cancelled.rowcount == 1:  # type: ignore[attr-defined]
        # Apart, after the commit: these rows belong to other requests, which other changes
        # lock before their nudges.
        async with sessions.begin() as session:
            await _release_held(session, actor.team_id, actor.user_id, actor.now)
    return AwayChanged(ahead, handed)


async def time_away(
    sessions: Sessions, *, team_id: str, person_id: str, now: datetime
) -> tuple[list[Away], date]:
    """`person_id`'s time away still to come or under way, soonest first, and their today (as
    far as the bot knows where they are: the form starts on it)."""
    async with sessions() as session:
        return await _ahead(session, team_id, person_id, now), await today_of(
            session, team_id, person_id, now
        )


async def upcoming_absences(
    session: AsyncSession, team_id: str, person_id: str, now: datetime
) -> list[Away]:
    """`time_away`, in the caller's transaction (the App Home reads it with the rest)."""
    return await _ahead(session, team_id, person_id, now)


async def _ahead(session: AsyncSession, team_id: str, person_id: str, now: datetime) -> list[Away]:
    rows = await session.scalars(
        select(Absence)
        .where(
            Absence.team_id == team_id,
            Absence.person_id == person_id,
            Absence.cancelled_at.is_(None),
            Absence.ends_at > now,
        )
        .order_by(Absence.first_day, Absence.id)
    )
    return [
        Away(a.id, a.first_day, a.last_day, a.delegate_id, a.begun_at is not None) for a in rows
    ]


async def _delegate_has_a_part(
    session: AsyncSession, team_id: str, person_id: str, delegate_id: str
) -> dict[str, str]:
    """A field error if the delegate is the employee, or the other side's decider, of a request
    waiting on `person_id`'s decision: they could not be handed it (as a delegation refuses)."""
    t = Secondment.__table__.c
    clashes: list[int] = []
    for home in (True, False):
        other_manager = t.host_manager_id if home else t.home_manager_id
        other_delegate = t.host_delegate_id if home else t.home_delegate_id
        clashes += await session.scalars(
            select(t.id).where(
                t.team_id == team_id,
                t.status.in_([s.value for s in Status if s.awaits_decisions]),
                (t.home_manager_id if home else t.host_manager_id) == person_id,
                (t.home_state if home else t.host_state) == SideState.PENDING.value,
                or_(
                    t.employee_id == delegate_id,
                    other_manager == delegate_id,
                    other_delegate == delegate_id,
                ),
            )
        )
    if not clashes:
        return {}
    numbers = ", ".join(f"#{n}" for n in sorted(clashes))
    return {
        "delegate": f"They have another part in request {numbers}, waiting for your decision, "
        "so they can't decide it for you. Choose someone else."
    }


async def _release_held(session: AsyncSession, team_id: str, person_id: str, now: datetime) -> None:
    """What waits for `person_id`'s return (held by a claim no sweep owns: to them, or their
    check-ins' missed marks) may go now: the next sweep judges each again, and holds it only if
    another absence or rule still says so."""
    theirs = select(Secondment.id).where(Secondment.team_id == team_id)
    await session.execute(
        update(Nudge)
        .where(
            Nudge.secondment_id.in_(
                theirs.where(
                    or_(
                        Secondment.employee_id == person_id,
                        Secondment.home_manager_id == person_id,
                        Secondment.host_manager_id == person_id,
                        Secondment.home_delegate_id == person_id,
                        Secondment.host_delegate_id == person_id,
                    )
                )
            ),
            or_(Nudge.recipient_id == person_id, Nudge.kind == NudgeKind.CHECK_IN_MISSED),
            Nudge.claim_token.is_(None),
            Nudge.claimed_until > now,
            Nudge.sent_at.is_(None),
            Nudge.cancelled_at.is_(None),
        )
        .values(claimed_until=None)
    )


async def _lock_person(session: AsyncSession, team_id: str, person_id: str) -> None:
    """One change to a person's time away at a time: two forms sent at once cannot both pass
    the overlap check."""
    if session.get_bind().dialect.name == "postgresql":
        key = func.hashtext(f"{team_id}:{person_id}")
        await session.execute(select(func.pg_advisory_xact_lock(_PERSON_LOCK, key)))


# Time away is kept this long after it ends, then forgotten: dates of leave are personal, and the
# audit trail keeps only the absence's id.
KEPT_AFTER_END = timedelta(days=90)


async def forget_past_absences(sessions: Sessions, *, now: datetime) -> int:
    """The daily job: delete time away that ended, or was cancelled, `KEPT_AFTER_END` ago (its
    hand-overs with it); returns how many."""
    past = now - KEPT_AFTER_END
    async with sessions.begin() as session:
        deleted = await session.execute(
            delete(Absence).where(
                or_(Absence.ends_at < past, Absence.cancelled_at < past),
                or_(Absence.ended_at.is_not(None), Absence.begun_at.is_(None)),
            )
        )
    return int(deleted.rowcount)  # type: ignore[attr-defined]
