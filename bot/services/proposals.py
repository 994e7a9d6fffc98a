"""An end-of-term proposal (docs/DOMAIN.md friction 6): an extension (a later end date) or a
permanent move (no return), proposed as a new version of the terms that both managers decide
like a request (bot/services/decide.py), while the secondment runs on under the terms in
force. A manager who proposes agrees on their side; an extension outside HR's rules asks HR
for an exception.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import null, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions
from bot.domain.actor import Actor
from bot.domain.end_of_term import NOTE_MAX, NOTE_MIN, Proposed
from bot.domain.errors import InvalidInput, NoLongerPending
from bot.domain.exception_checks import check_exception, outside_the_rules
from bot.domain.field_checks import FieldChecker
from bot.domain.hr_rules import PolicyException, extension_breaks
from bot.domain.permissions import check_can_propose
from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.domain.states import DecisionKind, Outcome, ProposalKind, Side, SideState, Status
from bot.domain.terms import ReturnArrangement, Terms
from bot.models import Decision, Secondment, TermsVersion
from bot.services.audit import record_event
from bot.services.changes import new_round
from bot.services.exception_asked import exception_columns, record_exception_asked
from bot.services.loading import load_record, load_visible
from bot.services.outbox import Announce, said
from bot.services.people import today_of
from bot.services.replanning import replan
from bot.services.terms_versions import next_terms_version

# The longest extension one proposal may ask for, in days past the current end date.
MAX_EXTENSION_DAYS = 3 * 366


async def propose(
    sessions: Sessions,
    *,
    actor: Actor,
    secondment_id: int,
    seen_version: int,
    kind: ProposalKind,
    end_date: date | None,
    note: str | None,
    announce: Announce[Proposed],
    exception_reason: str | None = None,
) -> Proposed:
    """An extension or a permanent move proposed, as a new version of the terms the managers
    (and HR, for an extension outside its rules asked as an exception) decide."""
    check = FieldChecker()
    note_text = _checked_note(check, kind, note)
    async with sessions.begin() as session:
        before = await load_visible(
            session, actor.team_id, secondment_id, actor.user_id, actor.policy
        )
        today = await today_of(session, actor.team_id, actor.user_id, actor.now)
        check_can_propose(before, actor.user_id, today)
        terms = _proposed_terms(before.terms, kind, end_date, check)
        exception = _exception_asked(
            before, terms, kind, today, exception_reason, actor.policy, check
        )
        if check.errors or terms is None:
            raise InvalidInput(check.errors)
        version = await next_terms_version(session, secondment_id)
        proposer_side = next((s for s in Side if before.side(s).manager_id == actor.user_id), None)
        values = _proposal(kind, version, actor.user_id, proposer_side, exception, actor.now)
        await _claim_proposal(
            session, before, seen_version, actor.user_id, values, today, actor.policy
        )
        _write_proposal(
            session, secondment_id, version, actor.user_id, terms, note_text, exception, actor.now
        )
        if proposer_side is not None:
            session.add(
                _proposers_approval(secondment_id, proposer_side, version, actor.user_id, actor.now)
            )
        _record_proposed(
            session, secondment_id, version, actor.user_id, kind, terms, note_text, actor.now
        )
        await session.flush()
        await replan(session, secondment_id, actor.policy, actor.now)
        record = await load_record(session, actor.team_id, secondment_id, actor.policy)
        assert record is not None
        proposed = Proposed(record, before.terms, actor.user_id)
        return await said(session, announce, proposed, secondment_id, actor.now)


def _checked_note(check: FieldChecker, kind: ProposalKind, note: str | None) -> str:
    """The proposal's note, checked: a permanent move needs its arrangement in writing; an
    extension may explain itself."""
    note_text = check.text("note", note, NOTE_MAX, required=kind is ProposalKind.PERMANENT)
    if note_text and len(note_text) < NOTE_MIN:
        check.fail("note", f"Write at least {NOTE_MIN} characters.")
    return note_text


def _proposed_terms(
    terms: Terms, kind: ProposalKind, end_date: date | None, check: FieldChecker
) -> Terms | None:
    """The terms the proposal would bring into force; None, with the field's error, if the
    new end date cannot be proposed."""
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


def _exception_asked(
    before: SecondmentRecord,
    terms: Terms | None,
    kind: ProposalKind,
    today: date,
    exception_reason: str | None,
    policy: Policy,
    check: FieldChecker,
) -> PolicyException | None:
    """The exception to HR's rules an extension outside them asks, with its reason; without a
    reason, the end date's error."""
    if terms is None or kind is not ProposalKind.EXTEND:
        return None
    broken = extension_breaks(
        terms.start_date, before.terms.end_date, terms.end_date, today, policy.rules
    )
    exception = check_exception(broken, exception_reason, policy, check)
    if broken and exception is None and "exception_reason" not in check.errors:
        check.fail("end_date", outside_the_rules(broken, policy, "Choose another date"))
    return exception


def _proposal(
    kind: ProposalKind,
    version: int,
    actor_id: str,
    proposer_side: Side | None,
    exception: PolicyException | None,
    now: datetime,
) -> dict[Any, Any]:
    """The values of an open proposal: a new round on its version, a return confirmed before
    it forgotten."""
    t = Secondment.__table__.c
    return {
        t.status: Status.PROPOSAL_PENDING.value,
        t.proposal_kind: kind.value,
        t.proposal_version: version,
        t.proposed_by: actor_id,
        t.return_confirmed_by: null(),
        t.return_confirmed_at: null(),
        t.hr_state: SideState.PENDING.value if exception else None,
    } | new_round(proposer_side, actor_id, now)


async def _claim_proposal(
    session: AsyncSession,
    before: SecondmentRecord,
    seen_version: int,
    actor_id: str,
    values: dict[Any, Any],
    today: date,
    policy: Policy,
) -> None:
    """The proposal opened, once, on the terms the proposer saw; or the refusal for one that
    lost to another change made meanwhile."""
    t = Secondment.__table__.c
    result = await session.execute(
        update(Secondment)
        .where(
            t.id == before.id,
            t.status == before.status.value,
            t.round == before.round,
            t.terms_version == seen_version,
            t.outcome.is_(None),
        )
        .values(values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        now_stored = await load_visible(session, before.team_id, before.id, actor_id, policy)
        check_can_propose(now_stored, actor_id, today)
        raise NoLongerPending(now_stored.status)


def _write_proposal(
    session: AsyncSession,
    secondment_id: int,
    version: int,
    actor_id: str,
    terms: Terms,
    note_text: str | None,
    exception: PolicyException | None,
    now: datetime,
) -> None:
    """The proposed terms as a new version, with the exception to HR's rules they ask."""
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


def _proposers_approval(
    secondment_id: int, side: Side, version: int, actor_id: str, now: datetime
) -> Decision:
    """A proposing manager's agreement, on their side, to the terms they propose."""
    return Decision(
        secondment_id=secondment_id,
        side=side,
        terms_version=version,
        outcome=Outcome.APPROVED,
        kind=DecisionKind.PROPOSED,
        decided_by=actor_id,
        created_at=now,
    )


def _record_proposed(
    session: AsyncSession,
    secondment_id: int,
    version: int,
    actor_id: str,
    kind: ProposalKind,
    terms: Terms,
    note_text: str | None,
    now: datetime,
) -> None:
    """The proposal's audit event."""
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
