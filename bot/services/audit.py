"""Writing the audit trail, always inside the transaction of the change it records; each
state change is also noted for the HR system's webhook (bot/services/events_out.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.events_out import event_type
from bot.models import AuditEvent
from bot.services.events_out import note_changes


def record_event(
    session: AsyncSession,
    *,
    secondment_id: int | None,
    actor_id: str,
    action: str,
    terms_version: int | None,
    at: datetime,
    **detail: Any,
) -> None:
    """Add one event to the audit trail, in the transaction of the change it records."""
    row = event_row(
        secondment_id=secondment_id,
        actor_id=actor_id,
        action=action,
        terms_version=terms_version,
        at=at,
        **detail,
    )
    session.add(AuditEvent(**row))
    note_changes(session.sync_session, [row])


def event_row(
    *,
    secondment_id: int | None,
    actor_id: str,
    action: str,
    terms_version: int | None,
    at: datetime,
    **detail: Any,
) -> dict[str, Any]:
    """An audit event's columns, for `record_events`."""
    if secondment_id is not None:
        # Refuses, in every change and every test, an action the events out neither name as an
        # event type nor leave out (bot/domain/events_out.py), webhook or not.
        event_type(action)
    return {
        "secondment_id": secondment_id,
        "actor_id": actor_id,
        "action": action,
        "terms_version": terms_version,
        "detail": detail,
        "at": at,
    }


async def record_events(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Write many audit events (`event_row`s) at once: one multi-row INSERT, without the ORM's
    bookkeeping per object, for the sweep's batches."""
    if rows:
        await session.execute(insert(cast(Table, AuditEvent.__table__)), rows)
        note_changes(session.sync_session, rows)
