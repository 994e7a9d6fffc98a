"""Anonymising a secondment: every person in it becomes "erased" and every free text is
removed, while its dates, statuses, outcomes and reason categories stay for HR's figures. Used by
retention (bot/services/retention.py) and by a person's erasure (bot/services/erasure.py).

Each secondment is anonymised once: the update matches only while `anonymised_at` is unset, and
its audit event is written in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.retention import ERASED, ERASED_TEXT
from bot.models import (
    AuditEvent,
    CheckIn,
    Debrief,
    Decision,
    Escalation,
    Note,
    Nudge,
    OutgoingEvent,
    Secondment,
    TermsVersion,
)
from bot.services.audit import record_event

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


async def anonymise(
    session: AsyncSession, secondment_id: int, now: datetime, *, reason: str
) -> bool:
    """Remove every person and free text from one secondment, once; False if already done."""
    if not await _claim(session, secondment_id, now):
        return False
    await _anonymise_terms_and_decisions(session, secondment_id)
    await _anonymise_the_rest(session, secondment_id)
    await session.execute(
        update(AuditEvent)
        .where(AuditEvent.secondment_id == secondment_id, AuditEvent.actor_id != "bot")
        .values(actor_id=ERASED)
    )
    await update_rows(session, AuditEvent, {"secondment_id": secondment_id}, detail={})
    await session.execute(delete(Nudge).where(Nudge.secondment_id == secondment_id))
    await forget_events_out(session, secondment_id)
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


async def _claim(session: AsyncSession, secondment_id: int, now: datetime) -> bool:
    """The secondment's own row without its people, once: True for the update that did it."""
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
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def _anonymise_terms_and_decisions(session: AsyncSession, secondment_id: int) -> None:
    of_it = {"secondment_id": secondment_id}
    await update_rows(
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
    await update_rows(
        session,
        Decision,
        of_it,
        decided_by=ERASED,
        on_behalf_of=None,
        explanation=None,
        conditions_note=None,
    )


async def _anonymise_the_rest(session: AsyncSession, secondment_id: int) -> None:
    of_it = {"secondment_id": secondment_id}
    await update_rows(session, Note, of_it, author_id=ERASED, text=ERASED_TEXT)
    await update_rows(session, Escalation, of_it, raised_by=None, message=None)
    await update_rows(session, CheckIn, of_it, note=None)
    await update_rows(
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


async def update_rows(
    session: AsyncSession, model: Any, where: dict[str, Any], **values: Any
) -> None:
    """`values` set in every row of `model` whose columns equal `where`."""
    await session.execute(
        update(model)
        .where(*(getattr(model, column) == value for column, value in where.items()))
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def forget_events_out(session: AsyncSession, secondment_id: int) -> None:
    """The events out about the secondment, sent or not: each names its people. Erasure comes
    before delivery; the HR system keeps what it was sent, under its own retention."""
    await session.execute(delete(OutgoingEvent).where(OutgoingEvent.secondment_id == secondment_id))
