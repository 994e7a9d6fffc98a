"""The end-of-term decision (docs/DOMAIN.md friction 6): return, extend, or move permanently.

A return is what the terms already say, so any of the three may confirm it. An extension (a
later end date) or a permanent move (no return) changes the terms: it is proposed as a new
version that both managers decide like a request (bot/services/decide.py), while the secondment
runs on under the terms in force. A manager who proposes agrees on their side.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, null, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions
from bot.domain.errors import InvalidInput, NoLongerPending
from bot.domain.hr_rules import extension_breaks
from bot.domain.permissions import check_can_confirm_return, check_can_propose
from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.domain.states import DecisionKind, Outcome, ProposalKind, Side, SideState, Status
from bot.domain.terms import ReturnArrangement, Terms
from bot.domain.validation import FieldChecker, check_exception, outside_the_rules
from bot.models import Decision, Secondment, TermsVersion
from bot.services.audit import record_event
from bot.services.changes import new_round, side_values
from bot.services.exception_asked import exception_columns, record_exception_asked
from bot.services.loading import load_record, load_visible
from bot.services.outbox import Announce, said
from bot.services.people import today_of
from bot.services.replanning import replan

NOTE_MIN, NOTE_MAX = 10, 1000
# The longest extension one proposal may ask for, in days past the current end date.
MAX_EXTENSION_DAYS = 3 * 366


@dataclass(frozen=True, slots=True)
class Proposed:
    record: SecondmentRecord
    previous: Terms
    actor_id: str


@dataclass(frozen=True, slots=True)
class ReturnConfirmedEvent:
    record: SecondmentRecord
    actor_id: str
    closed: ProposalKind | None  # a proposal this confirmation closed


async def propose(
    sessions: Sessions,
    *,
    team_id: str,
    secondment_id: int,
    seen_version: int,
    actor_id: str,
    kind: ProposalKind,
    end_date: date | None,
    note: str | None,
    announce: Announce[Proposed],
    policy: Policy,
    now: datetime,
    exception_reason: str | None = None,
) -> Proposed:
    """An extension or a permanent move proposed, as a new version of the terms the managers
    (and HR, for an extension outside its rules asked as an exception) decide."""
    check = FieldChecker()
    # A permanent move needs its arrangement in writing; an extension may explain itself.
    note_text = check.text("note", note, NOTE_MAX, required=kind is ProposalKind.PERMANENT)
    if note_text and len(note_text) < NOTE_MIN:
        check.fail("note", f"Write at least {NOTE_MIN} characters.")
    async with sessions.begin() as session:
        before = await load_visible(session, team_id, secondment_id, actor_id, policy)
        today = await today_of(session, team_id, actor_id, now)
        check_can_propose(before, actor_id, today)
        terms = _proposed_terms(before.terms, kind, end_date, check)
        exception = None
        if terms is not None and kind is ProposalKind.EXTEND:
            broken = extension_breaks(
                terms.start_date, before.terms.end_date, terms.end_date, today, policy.rules
            )
            exception = check_exception(broken, exception_reason, policy, check)
            if broken and exception is None and "exception_reason" not in check.errors:
                check.fail("end_date", outside_the_rules(broken, policy, "Choose another date"))
        if check.errors or terms is None:
            raise InvalidInput(check.errors)
        version = await next_terms_version(session, secondment_id)
        proposer_side = next((s for s in Side if before.side(s).manager_id == actor_id), None)
        t = Secondment.__table__.c
        values: dict[Any, Any] = {
            t.status: Status.PROPOSAL_PENDING.value,
            t.proposal_kind: kind.value,
            t.proposal_version: version,
            t.proposed_by: actor_id,
            t.return_confirmed_by: null(),
            t.return_confirmed_at: null(),
            t.hr_state: SideState.PENDING.value if exception else None,
        } | new_round(proposer_side, actor_id, now)
        result = await session.execute(
            update(Secondment)
            .where(
                t.id == secondment_id,
                t.status == before.status.value,
                t.round == before.round,
                t.terms_version == seen_version,
                t.outcome.is_(None),
            )
            .values(values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            await _explain(session, team_id, secondment_id, actor_id, today, policy)
        session.add(
            TermsVersion(
                secondment_id=secondment_id,
                version=version,
                created_by=actor_id,
                created_at=now,
                change_note=note_text or None,
                **asdict(terms),
                **exception_columns(exception),
            )
        )
        if exception is not None:
            record_exception_asked(session, secondment_id, actor_id, version, exception, now)
        if proposer_side is not None:
            session.add(
                Decision(
                    secondment_id=secondment_id,
                    side=proposer_side,
                    terms_version=version,
                    outcome=Outcome.APPROVED,
                    kind=DecisionKind.PROPOSED,
                    decided_by=actor_id,
                    created_at=now,
                )
            )
        record_event(
            session,
            secondment_id=secondment_id,
            actor_id=actor_id,
            action=f"{kind.value}_proposed",
            terms_version=version,
            at=now,
            end_date=terms.end_date.isoformat(),
            note=note_text or None,
        )
        await session.flush()
        await replan(session, secondment_id, policy, now)
        record = await load_record(session, team_id, secondment_id, policy)
        assert record is not None
        proposed = Proposed(record, before.terms, actor_id)
        return await said(session, announce, proposed, secondment_id, now)


def _proposed_terms(
    terms: Terms, kind: ProposalKind, end_date: date | None, check: FieldChecker
) -> Terms | None:
    if kind is ProposalKind.PERMANENT:
        return replace(terms, return_arrangement=ReturnArrangement.PERMANENT_MOVE)
    if end_date is None:
        check.fail("end_date", "Choose the new end date.")
        return None
    if end_date <= terms.end_date:
        check.fail("end_date", "An extension ends after the current end date. Choose a later one.")
        return None
    if (end_date - terms.end_date).days > MAX_EXTENSION_DAYS:
        check.fail("end_date", "Extend by three years at most; agree a longer term with HR.")
        return None
    return replace(terms, end_date=end_date)


async def confirm_return(
    sessions: Sessions,
    *,
    team_id: str,
    secondment_id: int,
    actor_id: str,
    announce: Announce[ReturnConfirmedEvent],
    policy: Policy,
    now: datetime,
) -> ReturnConfirmedEvent:
    async with sessions.begin() as session:
        before = await load_visible(session, team_id, secondment_id, actor_id, policy)
        check_can_confirm_return(before, actor_id)
        t = Secondment.__table__.c
        values: dict[Any, Any] = {
            t.return_confirmed_by: actor_id,
            t.return_confirmed_at: now,
            t.updated_at: now,
        }
        if before.proposal is not None:
            values |= await closing_proposal(session, secondment_id, before.terms_version)
        result = await session.execute(
            update(Secondment)
            .where(
                t.id == secondment_id,
                t.status == before.status.value,
                t.round == before.round,
                t.return_confirmed_by.is_(None),
                t.outcome.is_(None),
            )
            .values(values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            now_stored = await load_visible(session, team_id, secondment_id, actor_id, policy)
            check_can_confirm_return(now_stored, actor_id)
            raise NoLongerPending(now_stored.status)
        closed = before.proposal.kind if before.proposal else None
        record_event(
            session,
            secondment_id=secondment_id,
            actor_id=actor_id,
            action="return_confirmed",
            terms_version=before.terms_version,
            at=now,
            closed_proposal=closed.value if closed else None,
        )
        await session.flush()
        await replan(session, secondment_id, policy, now)
        record = await load_record(session, team_id, secondment_id, policy)
        assert record is not None
        confirmed = ReturnConfirmedEvent(record, actor_id, closed)
        return await said(session, announce, confirmed, secondment_id, now)


async def next_terms_version(session: AsyncSession, secondment_id: int) -> int:
    """The number of a new version: after every version written, a proposal's included."""
    latest = await session.scalar(
        select(func.max(TermsVersion.version)).where(TermsVersion.secondment_id == secondment_id)
    )
    return (latest or 0) + 1


async def closing_proposal(
    session: AsyncSession, secondment_id: int, terms_version: int
) -> dict[Any, Any]:
    """The values that close an open proposal: back to active under the terms in force, each
    side showing the approval it gave those terms."""
    t = Secondment.__table__.c
    values: dict[Any, Any] = {
        t.status: Status.ACTIVE.value,
        t.proposal_kind: null(),
        t.proposal_version: null(),
        t.proposed_by: null(),
    }
    approvals = await session.scalars(
        select(Decision)
        .where(
            Decision.secondment_id == secondment_id,
            Decision.terms_version == terms_version,
            Decision.outcome == Outcome.APPROVED,
        )
        .order_by(Decision.id)
    )
    latest = {d.side: d for d in approvals}
    for side in Side:
        decision = latest.get(side)
        values |= side_values(
            side,
            SideState.APPROVED,
            decision.decided_by if decision else None,
            decision.created_at if decision else None,
        )
    return values


async def _explain(
    session: AsyncSession,
    team_id: str,
    secondment_id: int,
    actor_id: str,
    today: date,
    policy: Policy,
) -> None:
    """Raise the refusal for a proposal that lost to another change made meanwhile."""
    now_stored = await load_visible(session, team_id, secondment_id, actor_id, policy)
    check_can_propose(now_stored, actor_id, today)
    raise NoLongerPending(now_stored.status)
