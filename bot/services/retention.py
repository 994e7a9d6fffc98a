"""Retention and erasure: removing personal data once it may no longer be kept, or when a person
asks for it.

`apply_retention` runs daily. A secondment closed (completed or withdrawn) more than
RETENTION_YEARS ago, or a request nobody has touched for that long, is anonymised: people's ids
become "erased" and every free text is removed, while the dates, statuses, outcomes and reason
categories stay for HR's figures. With RETENTION_ACTION=delete it is deleted instead, with all
that belongs to it. `erase_person` removes one person's data on request (HR only): a secondment
they were the employee of is anonymised whole; elsewhere their id and their own words go; their
cached profile and calendar link go too.

Each secondment is anonymised once: the update matches only while `anonymised_at` is unset, and
its audit event is written in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions
from bot.domain.errors import StillOpen
from bot.domain.nudge_catalogue import SAID
from bot.domain.permissions import check_is_hr
from bot.domain.policy import Policy
from bot.domain.retention import ERASED, ERASED_TEXT, retention_cutoff, scrub_detail
from bot.domain.states import Status
from bot.models import (
    Absence,
    AuditEvent,
    CalendarFeed,
    CheckIn,
    Debrief,
    Decision,
    Escalation,
    KnownPerson,
    Note,
    Nudge,
    OutgoingEvent,
    Secondment,
    TermsVersion,
)
from bot.services.audit import record_event

CLOSED = (Status.COMPLETED, Status.WITHDRAWN)
ABANDONED = (Status.PENDING, Status.BLOCKED)  # requests left undecided
# Columns of `secondments` that name a person.
PERSON_COLUMNS = (
    "employee_id",
    "home_manager_id",
    "host_manager_id",
    "home_delegate_id",
    "host_delegate_id",
    "home_decided_by",
    "host_decided_by",
    "objectives_set_by",
    "proposed_by",
    "return_confirmed_by",
)


# Free texts in which someone may have mentioned a person.
MENTIONABLE: dict[Any, tuple[str, ...]] = {
    TermsVersion: (
        "responsibilities",
        "objectives",
        "coverage_plan",
        "reporting_line",
        "pay_and_benefits",
        "change_note",
        "exception_reason",
        "exception_note",
    ),
    Decision: ("explanation", "conditions_note"),
    Note: ("text",),
    Escalation: ("message",),
    CheckIn: ("note",),
    Debrief: ("achieved", "skills_gained", "bring_back", "home_role_changes", "next_step"),
}


@dataclass(frozen=True, slots=True)
class RetentionApplied:
    """What the daily retention did: the secondments anonymised and those deleted."""

    anonymised: list[int]
    deleted: list[int]


@dataclass(frozen=True, slots=True)
class PersonErased:
    """What erasing one person's data did: in how many secondments."""

    person_id: str
    secondments: int


async def apply_retention(sessions: Sessions, *, now: datetime, policy: Policy) -> RetentionApplied:
    """Anonymise (or delete) every secondment past retention; run daily."""
    cutoff = retention_cutoff(now, policy.retention_years)
    t = Secondment.__table__.c
    due = or_(
        and_(t.status.in_([s.value for s in CLOSED]), t.closed_at < cutoff),
        and_(t.status.in_([s.value for s in ABANDONED]), t.updated_at < cutoff),
    )
    async with sessions.begin() as session:
        ids = list(
            await session.scalars(
                select(Secondment.id).where(due, Secondment.anonymised_at.is_(None))
            )
        )
        if policy.retention_deletes:
            ids += list(
                await session.scalars(
                    select(Secondment.id).where(due, t.anonymised_at.is_not(None))
                )
            )
            if ids:
                await session.execute(delete(Secondment).where(Secondment.id.in_(ids)))
                record_event(
                    session,
                    secondment_id=None,
                    actor_id="bot",
                    action="retention_deleted",
                    terms_version=None,
                    at=now,
                    secondments=sorted(ids),
                )
            return RetentionApplied([], sorted(ids))
        done = [i for i in ids if await anonymise(session, i, now, reason="retention")]
    return RetentionApplied(done, [])


async def anonymise(
    session: AsyncSession, secondment_id: int, now: datetime, *, reason: str
) -> bool:
    """Remove every person and free text from one secondment, once; False if already done."""
    t = Secondment.__table__.c
    result = await session.execute(
        update(Secondment)
        .where(t.id == secondment_id, t.anonymised_at.is_(None))
        .values(
            {getattr(t, column): ERASED for column in PERSON_COLUMNS[:3]}
            | {getattr(t, column): None for column in PERSON_COLUMNS[3:]}
            | {
                t.agreed_objectives: None,
                t.objectives_key: None,
                t.channel_id: None,
                t.thread_ts: None,
                t.thread_url: None,
                t.anonymised_at: now,
            }
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    of_it = {"secondment_id": secondment_id}
    await _update(
        session,
        TermsVersion,
        of_it,
        created_by=ERASED,
        responsibilities=ERASED_TEXT,
        objectives=ERASED_TEXT,
        coverage_plan=ERASED_TEXT,
        pay_and_benefits=ERASED_TEXT,
        reporting_line=None,
        change_note=None,
        exception_note=None,
    )
    # An exception asked keeps the fact, not the words or who decided it.
    await _where_set(session, TermsVersion, secondment_id, "exception_reason", ERASED_TEXT)
    await _where_set(session, TermsVersion, secondment_id, "exception_decided_by", ERASED)
    await _update(
        session,
        Decision,
        of_it,
        decided_by=ERASED,
        on_behalf_of=None,
        explanation=None,
        conditions_note=None,
    )
    await _update(session, Note, of_it, author_id=ERASED, text=ERASED_TEXT)
    await _update(session, Escalation, of_it, raised_by=None, message=None)
    await _update(session, CheckIn, of_it, note=None)
    await _update(
        session,
        Debrief,
        of_it,
        recorded_by=ERASED,
        achieved=ERASED_TEXT,
        skills_gained=ERASED_TEXT,
        bring_back=ERASED_TEXT,
        home_role_changes=None,
        next_step=ERASED_TEXT,
    )
    await session.execute(
        update(AuditEvent)
        .where(AuditEvent.secondment_id == secondment_id, AuditEvent.actor_id != "bot")
        .values(actor_id=ERASED)
    )
    await _update(session, AuditEvent, of_it, detail={})
    await session.execute(delete(Nudge).where(Nudge.secondment_id == secondment_id))
    await _forget_events_out(session, secondment_id)
    record_event(
        session,
        secondment_id=secondment_id,
        actor_id="bot",
        action="anonymised",
        terms_version=None,
        at=now,
        reason=reason,
    )
    return True


async def _where_set(
    session: AsyncSession, model: Any, secondment_id: int, column: str, value: str
) -> None:
    """`column` set to `value` in a secondment's rows, where it holds anything."""
    held = getattr(model, column)
    await session.execute(
        update(model)
        .where(model.secondment_id == secondment_id, held.is_not(None))
        .values({held: value})
        .execution_options(synchronize_session=False)
    )


async def _update(session: AsyncSession, model: Any, where: dict[str, Any], **values: Any) -> None:
    await session.execute(
        update(model)
        .where(*(getattr(model, column) == value for column, value in where.items()))
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def erase_person(
    sessions: Sessions,
    *,
    team_id: str,
    person_id: str,
    actor_id: str,
    actor_is_hr: bool,
    now: datetime,
) -> PersonErased:
    """Erase one person's personal data, at HR's request."""
    check_is_hr(actor_is_hr, "erase a person's data")
    t = Secondment.__table__.c
    async with sessions.begin() as session:
        rows = (
            await session.execute(
                select(t.id, t.status, t.employee_id).where(
                    t.team_id == team_id,
                    or_(
                        *(getattr(t, column) == person_id for column in PERSON_COLUMNS),
                        # HR who decided an exception on it.
                        t.id.in_(
                            select(TermsVersion.secondment_id).where(
                                TermsVersion.exception_decided_by == person_id
                            )
                        ),
                    ),
                )
            )
        ).all()
        still_open = sorted(row.id for row in rows if row.status not in CLOSED)
        if still_open:
            raise StillOpen(tuple(still_open))
        for row in rows:
            if row.employee_id == person_id:
                await anonymise(session, row.id, now, reason="erasure")
            else:
                await _remove_person(session, row.id, person_id, now)
        for personal in (KnownPerson, CalendarFeed):
            await session.execute(
                delete(personal).where(personal.team_id == team_id, personal.user_id == person_id)
            )
        # Their time away goes; named as someone's delegate, they are no longer named.
        await session.execute(
            delete(Absence).where(Absence.team_id == team_id, Absence.person_id == person_id)
        )
        await session.execute(
            update(Absence)
            .where(Absence.team_id == team_id, Absence.delegate_id == person_id)
            .values(delegate_id=None)
        )
        # Events for the HR system that name them as who acted, in secondments not about them
        # (an HR person's, say), sent or not: like the rest, they go.
        await session.execute(
            delete(OutgoingEvent).where(
                OutgoingEvent.body.contains(f'"actor_id":"{person_id}"', autoescape=True)
            )
        )
        # What they did outside any secondment (making or resetting their calendar link).
        await session.execute(
            update(AuditEvent)
            .where(AuditEvent.secondment_id.is_(None), AuditEvent.actor_id == person_id)
            .values(actor_id=ERASED)
        )
        # The person who installed the app in OAuth mode is on slack_sdk's installation rows.
        await session.execute(
            text(
                "UPDATE slack_installations SET user_id = :erased "
                "WHERE team_id = :team AND user_id = :person"
            ),
            {"erased": ERASED, "team": team_id, "person": person_id},
        )
        # The erasure is on record, without the person it erased.
        record_event(
            session,
            secondment_id=None,
            actor_id=actor_id,
            action="person_erased",
            terms_version=None,
            at=now,
            secondments=len(rows),
        )
    return PersonErased(person_id, len(rows))


async def _forget_what_was_said(session: AsyncSession, secondment_id: int, now: datetime) -> None:
    """The outbox's copies of what was said (a delivered message keeps none; one given up or
    still waiting does): dropped, and what still waits is not sent."""
    await session.execute(
        update(Nudge)
        .where(Nudge.secondment_id == secondment_id, Nudge.payload.is_not(None))
        .values(payload=None)
    )
    await session.execute(
        update(Nudge)
        .where(
            Nudge.secondment_id == secondment_id,
            Nudge.kind.in_(SAID),
            Nudge.sent_at.is_(None),
            Nudge.cancelled_at.is_(None),
        )
        .values(cancelled_at=now, last_error="erased")
    )


async def _forget_events_out(session: AsyncSession, secondment_id: int) -> None:
    """The events out about the secondment, sent or not: each names its people. Erasure comes
    before delivery; the HR system keeps what it was sent, under its own retention."""
    await session.execute(delete(OutgoingEvent).where(OutgoingEvent.secondment_id == secondment_id))


async def _remove_person(
    session: AsyncSession, secondment_id: int, person_id: str, now: datetime
) -> None:
    """One person's id and their own words out of a secondment that was not about them."""
    t = Secondment.__table__.c
    for column in PERSON_COLUMNS:
        await session.execute(
            update(Secondment)
            .where(t.id == secondment_id, getattr(t, column) == person_id)
            .values({getattr(t, column): ERASED})
        )
    of_it = {"secondment_id": secondment_id}
    await _update(session, TermsVersion, of_it | {"created_by": person_id}, created_by=ERASED)
    await _update(
        session,
        TermsVersion,
        of_it | {"exception_decided_by": person_id},
        exception_decided_by=ERASED,
        exception_note=ERASED_TEXT,
    )
    await _update(
        session,
        Decision,
        of_it | {"decided_by": person_id},
        decided_by=ERASED,
        explanation=None,
        conditions_note=None,
    )
    await _update(session, Decision, of_it | {"on_behalf_of": person_id}, on_behalf_of=ERASED)
    await _update(
        session, Note, of_it | {"author_id": person_id}, author_id=ERASED, text=ERASED_TEXT
    )
    await _update(
        session, Escalation, of_it | {"raised_by": person_id}, raised_by=ERASED, message=None
    )
    await _update(session, Debrief, of_it | {"recorded_by": person_id}, recorded_by=ERASED)
    await _update(session, Nudge, of_it | {"recipient_id": person_id}, recipient_id=ERASED)
    await _forget_what_was_said(session, secondment_id, now)
    await _forget_events_out(session, secondment_id)
    # Others' words keep their meaning but lose the person: a mention becomes "erased".
    for model, columns in MENTIONABLE.items():
        await session.execute(
            update(model)
            .where(model.secondment_id == secondment_id)
            .values({c: func.replace(getattr(model, c), person_id, ERASED) for c in columns})
            .execution_options(synchronize_session=False)
        )
    await session.execute(
        update(Secondment)
        .where(t.id == secondment_id)
        .values(agreed_objectives=func.replace(t.agreed_objectives, person_id, ERASED))
    )
    for event in await session.scalars(
        select(AuditEvent).where(AuditEvent.secondment_id == secondment_id)
    ):
        by_them = event.actor_id == person_id
        detail = scrub_detail(event.detail or {}, person_id, drop_text=by_them)
        if by_them or detail != event.detail:
            await session.execute(
                update(AuditEvent)
                .where(AuditEvent.id == event.id)
                .values(actor_id=ERASED if by_them else event.actor_id, detail=detail)
            )
