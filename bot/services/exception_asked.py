"""Writing an exception to HR's rules asked with new terms (bot/services/exceptions.py decides
it): the terms version's columns, and the audit event. Shared by a request, changed terms and
an extension."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.hr_rules import PolicyException
from bot.domain.states import SideState
from bot.services.audit import record_event


def exception_columns(exception: PolicyException | None) -> dict[str, Any]:
    """A terms version's record of the exception asked with it, waiting for HR."""
    if exception is None:
        return {}
    return {
        "exception_rules": exception.rules,
        "exception_reason": exception.reason,
        "exception_state": SideState.PENDING,
    }


def record_exception_asked(
    session: AsyncSession,
    secondment_id: int,
    actor_id: str,
    terms_version: int,
    exception: PolicyException,
    now: datetime,
) -> None:
    """Record in the audit trail that an exception to HR's rules was asked, and why."""
    record_event(
        session,
        secondment_id=secondment_id,
        actor_id=actor_id,
        action="exception_asked",
        terms_version=terms_version,
        at=now,
        rules=exception.rules,
        reason=exception.reason,
    )
