"""Erasure: one person's data removed on request (HR only).

A secondment they were the employee of is anonymised whole (bot/services/anonymisation.py);
elsewhere their id and their own words go, and others' mentions of them become "erased"; their
cached profile, calendar link and time away go too. A secondment of theirs still open refuses it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions
from bot.domain.actor import Actor
from bot.domain.errors import StillOpen
from bot.domain.nudge_catalogue import SAID
from bot.domain.permissions import check_is_hr
from bot.domain.retention import ERASED, ERASED_TEXT, PersonErased, scrub_detail
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
from bot.services.anonymisation import PERSON_COLUMNS, anonymise, forget_events_out, update_rows
from bot.services.audit import record_event
from bot.services.retention import CLOSED

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


async def erase_person(sessions: Sessions, *, actor: Actor, person_id: str) -> PersonErased:
    """Remove one person's data on HR's request (refused while a secondment of theirs is open)."""
    check_is_hr(actor.is_hr, "erase a person's data")
    async with sessions.begin() as session:
        rows = await _secondments_naming(session, actor.team_id, person_id)
        still_open = sorted(row.id for row in rows if row.status not in CLOSED)
        if still_open:
            raise StillOpen(tuple(still_open))
        for row in rows:
            if row.employee_id == person_id:
                await anonymise(session, row.id, actor.now, reason="erasure")
            else:
                await _remove_person(session, row.id, person_id, actor.now)
        await _forget_outside_secondments(session, actor.team_id, person_id)
        # The erasure is on record, without the person it erased.
        record_event(
            session,
            secondment_id=None,
            actor_id=actor.user_id,
            action="person_erased",
            terms_version=None,
            at=actor.now,
            secondments=len(rows),
        )
    return PersonErased(person_id, len(rows))


async def _secondments_naming(session: AsyncSession, team_id: str, person_id: str) -> list[Any]:
    t = Secondment.__table__.c
    return list(
        (
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
    )


async def _forget_outside_secondments(session: AsyncSession, team_id: str, person_id: str) -> None:
    """What the bot holds of the person outside any secondment: profile, calendar link, time
    away, events naming them, their own audit events, the installation they made."""
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
    await _unname_in_rows(session, secondment_id, person_id)
    await _forget_what_was_said(session, secondment_id, now)
    await forget_events_out(session, secondment_id)
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
    await _scrub_audit(session, secondment_id, person_id)


async def _unname_in_rows(session: AsyncSession, secondment_id: int, person_id: str) -> None:
    """The person's id, and the words they wrote, out of the secondment's other rows."""
    of_it = {"secondment_id": secondment_id}
    await update_rows(session, TermsVersion, of_it | {"created_by": person_id}, created_by=ERASED)
    await update_rows(
        session,
        TermsVersion,
        of_it | {"exception_decided_by": person_id},
        exception_decided_by=ERASED,
        exception_note=ERASED_TEXT,
    )
    await update_rows(
        session,
        Decision,
        of_it | {"decided_by": person_id},
        decided_by=ERASED,
        explanation=None,
        conditions_note=None,
    )
    await update_rows(session, Decision, of_it | {"on_behalf_of": person_id}, on_behalf_of=ERASED)
    await update_rows(
        session, Note, of_it | {"author_id": person_id}, author_id=ERASED, text=ERASED_TEXT
    )
    await update_rows(
        session, Escalation, of_it | {"raised_by": person_id}, raised_by=ERASED, message=None
    )
    await update_rows(session, Debrief, of_it | {"recorded_by": person_id}, recorded_by=ERASED)
    await update_rows(session, Nudge, of_it | {"recipient_id": person_id}, recipient_id=ERASED)


async def _scrub_audit(session: AsyncSession, secondment_id: int, person_id: str) -> None:
    """The secondment's audit trail without the person, and without their words."""
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
