"""Retention: removing personal data once it may no longer be kept.

`apply_retention` runs daily. A secondment closed (completed or withdrawn) more than
RETENTION_YEARS ago, or a request nobody has touched for that long, is anonymised
(bot/services/anonymisation.py). With RETENTION_ACTION=delete it is deleted instead, with all
that belongs to it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, or_, select

from bot.db import Sessions
from bot.domain.policy import Policy
from bot.domain.retention import RetentionApplied, retention_cutoff
from bot.domain.states import Status
from bot.models import Secondment
from bot.services.anonymisation import anonymise
from bot.services.audit import record_event

CLOSED = (Status.COMPLETED, Status.WITHDRAWN)
ABANDONED = (Status.PENDING, Status.BLOCKED)  # requests left undecided


async def apply_retention(sessions: Sessions, *, now: datetime, policy: Policy) -> RetentionApplied:
    """Anonymise (or delete) every secondment past retention; the daily job calls it."""
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
