"""Ending a secondment early: any of the three parties, with a reason and a notice period.

The new last day is a new version of the terms (the old ones stay on record); nobody has to
approve it again, and the check-ins and the debrief follow the new date.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions
from bot.domain.actor import Actor
from bot.domain.end_of_term import EndedEarly
from bot.domain.errors import InvalidInput, NotUnderway
from bot.domain.field_checks import FieldChecker
from bot.domain.permissions import check_can_end_early
from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.domain.states import EndOutcome, Status
from bot.domain.terms import Terms
from bot.models import Secondment, TermsVersion
from bot.services.audit import record_event
from bot.services.loading import load_record, load_visible
from bot.services.outbox import Announce, said
from bot.services.people import today_of
from bot.services.replanning import replan
from bot.services.terms_versions import closing_proposal, next_terms_version

REASON_MIN, REASON_MAX = 10, 1000


async def end_early(
    sessions: Sessions,
    *,
    actor: Actor,
    secondment_id: int,
    reason: str | None,
    notice_weeks: str | None,
    announce: Announce[EndedEarly],
) -> EndedEarly:
    """The secondment ended after the notice, for the reason given: its terms end on the new
    last day."""
    reason_text, notice = _checked(reason, notice_weeks, actor.policy)
    async with sessions.begin() as session:
        before = await load_visible(
            session, actor.team_id, secondment_id, actor.user_id, actor.policy
        )
        check_can_end_early(before, actor.user_id)
        last_day = await today_of(session, actor.team_id, actor.user_id, actor.now) + timedelta(
            weeks=notice
        )
        _refuse_past_the_end(before, last_day)
        version = await next_terms_version(session, secondment_id)
        await _claim_end(session, before, version, actor.now)
        terms = replace(before.terms, end_date=max(last_day, before.terms.start_date))
        _write_end(
            session, secondment_id, version, actor.user_id, terms, reason_text, notice, actor.now
        )
        await session.flush()
        await replan(session, secondment_id, actor.policy, actor.now)
        record = await load_record(session, actor.team_id, secondment_id, actor.policy)
        assert record is not None
        ended = EndedEarly(record, before.terms, actor.user_id, reason_text)
        return await said(session, announce, ended, secondment_id, actor.now)


def _checked(reason: str | None, notice_weeks: str | None, policy: Policy) -> tuple[str, int]:
    """The reason and the weeks of notice, checked (the policy's notice when none is given)."""
    check = FieldChecker()
    reason_text = check.text("reason", reason, REASON_MAX)
    if reason_text and len(reason_text) < REASON_MIN:
        check.fail("reason", f"Give the reason in at least {REASON_MIN} characters.")
    weeks = check.whole_number("notice_weeks", notice_weeks, 0, 26)
    if check.errors:
        raise InvalidInput(check.errors)
    return reason_text, policy.early_end_notice_weeks if weeks is None else weeks


def _refuse_past_the_end(before: SecondmentRecord, last_day: date) -> None:
    """An early end ends before the current end date."""
    if last_day >= before.terms.end_date:
        raise InvalidInput(
            {
                "notice_weeks": (
                    "With that notice the last day would be on or after the current end date. "
                    "Choose a shorter notice period."
                )
            }
        )


async def _claim_end(
    session: AsyncSession, before: SecondmentRecord, version: int, now: datetime
) -> None:
    """The early end in force, once, on the terms it was asked on; it closes an extension or a
    permanent move still being decided."""
    t = Secondment.__table__.c
    values: dict[Any, Any] = {
        t.terms_version: version,
        t.outcome: EndOutcome.ENDED_EARLY.value,
        t.updated_at: now,
    }
    if before.proposal is not None:
        # Ending early closes an extension or permanent move still being decided.
        values |= await closing_proposal(session, before.id, before.terms_version)
    result = await session.execute(
        update(Secondment)
        .where(
            t.id == before.id,
            t.status == before.status.value,
            t.round == before.round,
            t.terms_version == before.terms_version,
        )
        .values(values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise NotUnderway(before.id, Status.COMPLETED)


def _write_end(
    session: AsyncSession,
    secondment_id: int,
    version: int,
    actor_id: str,
    terms: Terms,
    reason_text: str,
    notice: int,
    now: datetime,
) -> None:
    """The terms ending on the new last day, as a new version, and the early end's audit
    event."""
    session.add(
        TermsVersion(
            secondment_id=secondment_id,
            version=version,
            created_by=actor_id,
            created_at=now,
            change_note=f"Ended early: {reason_text}",
            **asdict(terms),
        )
    )
    record_event(
        session,
        secondment_id=secondment_id,
        actor_id=actor_id,
        action="ended_early",
        terms_version=version,
        at=now,
        reason=reason_text,
        notice_weeks=notice,
        last_day=terms.end_date.isoformat(),
    )
