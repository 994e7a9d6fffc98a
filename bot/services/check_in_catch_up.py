"""The check-in rules of bot/domain/catch_up.py, applied to what a sweep has claimed: each
check-in nudge is sent, put off to when it may go, or skipped with its reason recorded.

What a rule needs to know of the past (when each question really went out, and whether one not
yet sent still may) is read here, in one query for the whole batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions
from bot.domain.catch_up import (
    QUESTION,
    Asked,
    CheckInTerms,
    Skip,
    Verdict,
    Wait,
    check_in_verdict,
)
from bot.domain.kinds import NudgeKind
from bot.domain.nudge_catalogue import CHECK_IN_NUDGES
from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.models import Nudge

_TICK = timedelta(microseconds=1)
# A question on its way (claimed by this sweep, or still to be claimed) may still go out.
_STILL_OPEN = and_(Nudge.sent_at.is_(None), Nudge.cancelled_at.is_(None))


async def questions_asked(
    session: AsyncSession, claimed: Iterable[Nudge]
) -> dict[tuple[int, int], Asked]:
    """For each (secondment, sequence) of a claimed reminder or missed mark: what became of
    that check-in's question."""
    wanted = {
        (n.secondment_id, n.sequence)
        for n in claimed
        if n.kind in CHECK_IN_NUDGES and n.kind is not QUESTION
    }
    if not wanted:
        return {}
    rows = await session.execute(
        select(
            Nudge.secondment_id,
            Nudge.sequence,
            func.max(Nudge.sent_at),
            func.max(case((_STILL_OPEN, 1), else_=0)),
        )
        .where(
            Nudge.kind == QUESTION,
            Nudge.secondment_id.in_({secondment for secondment, _ in wanted}),
        )
        .group_by(Nudge.secondment_id, Nudge.sequence)
    )
    found = {(s, q): Asked(sent, bool(open_)) for s, q, sent, open_ in rows}
    # No question at all (planned away when the terms changed): it will not be asked.
    return {key: found.get(key, Asked(None, may_still_go=False)) for key in wanted}


async def end_asked_at(
    session: AsyncSession,
    claimed: Iterable[Nudge],
    records: Mapping[int, SecondmentRecord],
    now: datetime,
) -> dict[int, datetime]:
    """For each secondment with a claimed check-in question: when its employee was last sent
    an end-of-term ask, if ever; `now` if one is due and not yet sent (this batch, another, or
    another sweeper holds it: it goes now, or is found no longer due and the question waits a
    day for nothing, never the other way round)."""
    wanted = {n.secondment_id for n in claimed if n.kind is QUESTION}
    if not wanted:
        return {}
    due_now = and_(_STILL_OPEN, Nudge.due_at <= now)
    rows = await session.execute(
        select(
            Nudge.secondment_id,
            Nudge.recipient_id,
            func.max(Nudge.sent_at),
            func.max(case((due_now, 1), else_=0)),
        )
        .where(Nudge.kind == NudgeKind.END_DECISION, Nudge.secondment_id.in_(wanted))
        .group_by(Nudge.secondment_id, Nudge.recipient_id)
    )
    found = {}
    for secondment, person, sent_at, going in rows:
        if person == records[secondment].employee_id and (going or sent_at):
            found[secondment] = now if going else sent_at
    return found


def never_asked(asked: dict[tuple[int, int], Asked], question: Nudge) -> None:
    """Note in `asked` that a question skipped just now will never go out."""
    if question.kind is QUESTION:
        asked[(question.secondment_id, question.sequence)] = Asked(None, may_still_go=False)


def verdict_for(
    nudge: Nudge,
    record: SecondmentRecord,
    asked: dict[tuple[int, int], Asked],
    now: datetime,
    tz: str | None,
    policy: Policy,
    end_asked: Mapping[int, datetime],
) -> Verdict:
    """What becomes of a claimed check-in nudge at `now`."""
    terms = CheckInTerms(record.terms.start_date, record.terms.end_date, record.check_in_weeks)
    question = asked.get((nudge.secondment_id, nudge.sequence), Asked(None, may_still_go=True))
    return check_in_verdict(
        nudge.kind,
        nudge.sequence,
        question,
        terms,
        now,
        tz,
        policy,
        end_asked_at=end_asked.get(nudge.secondment_id),
    )


async def put_off(
    session: AsyncSession,
    waiting: list[tuple[int, Wait, bool]],
    skipped: list[tuple[int, Skip]],
    now: datetime,
) -> None:
    """Hold the nudges that must wait until they may go (`waiting`: id, verdict, whether an
    earlier claim may have sent it), and skip the others, each with why.

    A held nudge keeps its planned `due_at`, so that re-planning the secondment finds it as
    planned and leaves it; it is held by a claim no sweep owns (no token), which no sweep takes
    before it runs out (bot/services/sweep.py `claim_due`, and bot/services/claim_order.py
    `backlog` counts it from then)."""
    for nudge_id, wait, maybe_sent in waiting:
        await session.execute(
            update(Nudge)
            .where(Nudge.id == nudge_id)
            # A claim runs out once its time has passed (`claimed_until < now`): held to just
            # before `until`, the nudge may go at `until`.
            .values(claimed_until=wait.until - _TICK, claim_token=None, maybe_sent=maybe_sent)
        )
    for reason in {skip.reason for _, skip in skipped}:
        await session.execute(
            update(Nudge)
            .where(Nudge.id.in_([i for i, skip in skipped if skip.reason == reason]))
            .values(cancelled_at=now, claimed_until=None, claim_token=None, last_error=reason)
        )


async def skip_claimed(
    sessions: Sessions, claim: tuple[int, str], reason: str, now: datetime
) -> None:
    """Skip a nudge this sweep holds (`claim`: its id and the claim's token), with why: one
    only looked for, and not found."""
    nudge_id, claim_token = claim
    async with sessions.begin() as session:
        await session.execute(
            update(Nudge)
            .where(
                Nudge.id == nudge_id,
                Nudge.claim_token == claim_token,
                Nudge.sent_at.is_(None),
            )
            .values(cancelled_at=now, claimed_until=None, claim_token=None, last_error=reason)
        )
