"""Writing the audit trail, always inside the transaction of the change it records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import AuditEvent


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
    session.add(
        AuditEvent(
            secondment_id=secondment_id,
            actor_id=actor_id,
            action=action,
            terms_version=terms_version,
            detail=detail,
            at=at,
        )
    )
