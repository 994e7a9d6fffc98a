"""The return debrief: recorded once, it completes the secondment with its outcome.

docs/DOMAIN.md friction 6: "the return has to be carefully managed". The debrief records what was
achieved, the skills gained, what to bring back, what the home role should change and the next
step the employee wants; it is shared with the home manager.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions
from bot.domain.actor import Actor
from bot.domain.debriefs import DebriefForm, DebriefRecorded
from bot.domain.errors import InvalidInput, NotUnderway
from bot.domain.field_checks import FieldChecker
from bot.domain.permissions import check_can_debrief
from bot.domain.states import EndOutcome, Status
from bot.domain.terms import LONG_TEXT_MAX
from bot.models import Debrief, Secondment
from bot.services.audit import record_event
from bot.services.loading import load_record, load_visible
from bot.services.outbox import Announce, said
from bot.services.people import today_of
from bot.services.replanning import replan


def _checked(form: DebriefForm) -> DebriefForm:
    check = FieldChecker()
    checked = DebriefForm(
        achieved=check.text("achieved", form.achieved, LONG_TEXT_MAX),
        skills_gained=check.text("skills_gained", form.skills_gained, LONG_TEXT_MAX),
        bring_back=check.text("bring_back", form.bring_back, LONG_TEXT_MAX),
        home_role_changes=check.text(
            "home_role_changes", form.home_role_changes, LONG_TEXT_MAX, required=False
        )
        or None,
        next_step=check.text("next_step", form.next_step, LONG_TEXT_MAX),
    )
    if check.errors:
        raise InvalidInput(check.errors)
    return checked


async def record_debrief(
    sessions: Sessions,
    *,
    actor: Actor,
    secondment_id: int,
    form: DebriefForm,
    announce: Announce[DebriefRecorded],
) -> DebriefRecorded:
    """Record the return debrief, once, completing the secondment with its outcome."""
    debrief = _checked(form)
    async with sessions.begin() as session:
        record = await load_visible(
            session, actor.team_id, secondment_id, actor.user_id, actor.policy
        )
        check_can_debrief(
            record, actor.user_id, await today_of(session, actor.team_id, actor.user_id, actor.now)
        )
        await _complete(session, secondment_id, actor.now)
        session.add(
            Debrief(
                secondment_id=secondment_id,
                recorded_by=actor.user_id,
                recorded_at=actor.now,
                achieved=debrief.achieved,
                skills_gained=debrief.skills_gained,
                bring_back=debrief.bring_back,
                home_role_changes=debrief.home_role_changes,
                next_step=debrief.next_step,
            )
        )
        record_event(
            session,
            secondment_id=secondment_id,
            actor_id=actor.user_id,
            action="debriefed_and_completed",
            terms_version=record.terms_version,
            at=actor.now,
            next_step=debrief.next_step,
        )
        await replan(session, secondment_id, actor.policy, actor.now)
        completed = await load_record(session, actor.team_id, secondment_id, actor.policy)
        assert completed is not None
        recorded = DebriefRecorded(completed, actor.user_id, debrief)
        return await said(session, announce, recorded, secondment_id, actor.now)


async def _complete(session: AsyncSession, secondment_id: int, now: datetime) -> None:
    """Mark the active secondment completed (returned, unless it ended otherwise), once."""
    result = await session.execute(
        update(Secondment)
        .where(Secondment.id == secondment_id, Secondment.status == Status.ACTIVE)
        .values(
            status=Status.COMPLETED,
            closed_at=now,
            outcome=func.coalesce(Secondment.outcome, EndOutcome.RETURNED.value),
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise NotUnderway(secondment_id, Status.COMPLETED)
