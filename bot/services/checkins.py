"""Check-ins during a secondment: the employee's answer, a snooze, and the interval HR sets.

Each check-in has at most one answer: the first one counts, and the row's unique key makes a
retry or a double click find it instead of answering again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions, insert_into
from bot.domain.actor import Actor
from bot.domain.calendar import working_days_later
from bot.domain.checkins import CHECK_IN_NOTE_MAX, CheckInAnswered
from bot.domain.errors import AlreadyAnswered, InvalidInput, NotUnderway
from bot.domain.kinds import CheckInAnswer
from bot.domain.permissions import check_can_check_in, check_is_hr
from bot.domain.record import SecondmentRecord
from bot.domain.states import APPROVED_OR_UNDERWAY
from bot.models import CheckIn, Secondment
from bot.services.audit import record_event
from bot.services.loading import load_record, load_visible
from bot.services.outbox import Announce, said
from bot.services.people import timezones
from bot.services.replanning import replan
from bot.services.unit_of_work import change_to


async def _ensure_row(session: AsyncSession, secondment_id: int, sequence: int) -> None:
    await session.execute(
        insert_into(session, CheckIn)
        .values(secondment_id=secondment_id, sequence=sequence, shared_with_home=False)
        .on_conflict_do_nothing(index_elements=["secondment_id", "sequence"])
    )


async def answer_check_in(
    sessions: Sessions,
    *,
    actor: Actor,
    secondment_id: int,
    sequence: int,
    answer: CheckInAnswer,
    note: str | None,
    share_with_home: bool,
    announce: Announce[CheckInAnswered],
) -> CheckInAnswered:
    """The employee's answer to check-in `sequence`, once: a second answer is told the first."""
    if note and len(note) > CHECK_IN_NOTE_MAX:
        raise InvalidInput({"note": f"Keep this to {CHECK_IN_NOTE_MAX} characters or fewer."})
    async with change_to(sessions, actor, secondment_id) as (session, record):
        check_can_check_in(record, actor.user_id, sequence)
        await _ensure_row(session, secondment_id, sequence)
        answered = CheckInAnswered(
            record, sequence, answer, note or None, share_with_home, actor.now
        )
        await _store_answer(session, secondment_id, answered)
        record_event(
            session,
            secondment_id=secondment_id,
            actor_id=actor.user_id,
            action="check_in_answered",
            terms_version=record.terms_version,
            at=actor.now,
            sequence=sequence,
            answer=answer.value,
            note=note,
            shared_with_home=share_with_home,
        )
        await replan(session, secondment_id, actor.policy, actor.now)
        return await said(session, announce, answered, secondment_id, actor.now)


async def _store_answer(
    session: AsyncSession, secondment_id: int, answered: CheckInAnswered
) -> None:
    """Write the answer on its still unanswered row, or raise AlreadyAnswered with the first."""
    sequence = answered.sequence
    result = await session.execute(
        update(CheckIn)
        .where(
            CheckIn.secondment_id == secondment_id,
            CheckIn.sequence == sequence,
            CheckIn.answer.is_(None),
        )
        .values(
            answer=answered.answer,
            note=answered.note,
            shared_with_home=answered.shared_with_home,
            answered_at=answered.answered_at,
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        answered_at = await session.scalar(
            select(CheckIn.answered_at).where(
                CheckIn.secondment_id == secondment_id, CheckIn.sequence == sequence
            )
        )
        assert answered_at is not None
        raise AlreadyAnswered(sequence, answered_at)


async def snooze_check_in(
    sessions: Sessions, *, actor: Actor, secondment_id: int, sequence: int
) -> datetime:
    """ "Remind me tomorrow": the reminder moves to the start of the next working day."""
    async with sessions.begin() as session:
        record = await load_visible(
            session, actor.team_id, secondment_id, actor.user_id, actor.policy
        )
        check_can_check_in(record, actor.user_id, sequence)
        tz = (await timezones(session, actor.team_id, [actor.user_id])).get(actor.user_id)
        until = working_days_later(actor.now, 1, tz, actor.policy)
        await _ensure_row(session, secondment_id, sequence)
        await session.execute(
            update(CheckIn)
            .where(
                CheckIn.secondment_id == secondment_id,
                CheckIn.sequence == sequence,
                CheckIn.answer.is_(None),
            )
            .values(snoozed_until=until)
        )
        record_event(
            session,
            secondment_id=secondment_id,
            actor_id=actor.user_id,
            action="check_in_snoozed",
            terms_version=record.terms_version,
            at=actor.now,
            sequence=sequence,
            until=until.isoformat(),
        )
        await replan(session, secondment_id, actor.policy, actor.now)
    return until


async def mark_missed(
    session: AsyncSession, record: SecondmentRecord, sequence: int, now: datetime
) -> None:
    """In the sweep's transaction: an unanswered check-in, after its reminder, counts as missed."""
    await _ensure_row(session, record.id, sequence)
    result = await session.execute(
        update(CheckIn)
        .where(
            CheckIn.secondment_id == record.id,
            CheckIn.sequence == sequence,
            CheckIn.answer.is_(None),
            CheckIn.missed_at.is_(None),
        )
        .values(missed_at=now)
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        record_event(
            session,
            secondment_id=record.id,
            actor_id="bot",
            action="check_in_missed",
            terms_version=record.terms_version,
            at=now,
            sequence=sequence,
        )


async def set_check_in_interval(
    sessions: Sessions, *, actor: Actor, secondment_id: int, weeks: int
) -> SecondmentRecord:
    """HR sets how often this secondment's employee is asked (1 to 26 weeks)."""
    check_is_hr(actor.is_hr, "change how often check-ins go out")
    if not 1 <= weeks <= 26:
        raise InvalidInput({"weeks": "Choose every 1 to 26 weeks."})
    async with sessions.begin() as session:
        record = await load_visible(
            session, actor.team_id, secondment_id, actor.user_id, actor.policy, actor_is_hr=True
        )
        result = await session.execute(
            update(Secondment)
            .where(
                Secondment.id == secondment_id,
                Secondment.status.in_(APPROVED_OR_UNDERWAY),
            )
            .values(check_in_weeks=weeks, updated_at=actor.now)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise NotUnderway(secondment_id, record.status)
        record_event(
            session,
            secondment_id=secondment_id,
            actor_id=actor.user_id,
            action="check_in_interval_set",
            terms_version=record.terms_version,
            at=actor.now,
            weeks=weeks,
        )
        await replan(session, secondment_id, actor.policy, actor.now)
        updated = await load_record(session, actor.team_id, secondment_id, actor.policy)
        assert updated is not None
    return updated
