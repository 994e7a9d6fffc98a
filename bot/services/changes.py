"""A change to the terms: a new version that both managers decide on again (docs/DOMAIN.md
friction 1: every party confirms the same version, and any change needs confirming again).

The employee may propose any change while the request is open and has not started
(bot/services/term_edits.py). A manager may approve with conditions
(bot/services/conditions.py): the conditions become the new version, already approved on that
manager's side, and the other side is asked again.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions
from bot.domain.actor import Actor
from bot.domain.errors import (
    AlreadyDecided,
    AlreadyStarted,
    InvalidInput,
    NoLongerPending,
    NotFound,
    NotYourSide,
    TermsChanged,
)
from bot.domain.hr_rules import PolicyException, term_breaks
from bot.domain.people import zone_of
from bot.domain.permissions import check_can_change
from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.domain.states import DecisionKind, Outcome, Side, SideState, Status
from bot.domain.term_changes import TermsChangedEvent
from bot.domain.terms import TermChange, Terms, diff_terms
from bot.models import Decision, Secondment, TermsVersion
from bot.services.audit import record_event
from bot.services.exception_asked import exception_columns, record_exception_asked
from bot.services.loading import load_record
from bot.services.outbox import Announce, said
from bot.services.people import timezones
from bot.services.replanning import replanned_record

OPEN = [s.value for s in Status if s.is_open]


class NothingChanged(InvalidInput):
    """The proposed terms are the same as the current ones."""

    def __init__(self) -> None:
        super().__init__({"change_note": "Nothing in the terms changed. Edit a field, or cancel."})


async def change_terms(
    sessions: Sessions,
    *,
    actor: Actor,
    secondment_id: int,
    seen_version: int,
    terms: Terms,
    note: str | None,
    announce: Announce[TermsChangedEvent],
    approving_side: Side | None = None,
    exception: PolicyException | None = None,
) -> TermsChangedEvent:
    """New terms, a new round. With `exception` (or, for conditions, an exception asked for
    the terms they change, while the new ones are still outside HR's rules), HR decides anew."""
    async with sessions.begin() as session:
        before = await load_record(session, actor.team_id, secondment_id, actor.policy)
        if before is None:
            raise NotFound(secondment_id)
        changes = diff_terms(before.terms, terms)
        if not changes:
            raise NothingChanged()
        exception = _exception_kept(before, terms, exception, actor.policy)
        await _claim_change(
            session,
            before,
            seen_version,
            actor.user_id,
            approving_side,
            exception,
            actor.now,
            actor.policy,
        )
        await _refuse_once_started(session, before, actor.now)
        version = seen_version + 1
        _write_version(
            session, secondment_id, version, actor.user_id, terms, note, exception, actor.now
        )
        if approving_side is not None:
            session.add(_with_conditions(before, approving_side, version, actor.user_id, actor.now))
        _record_change(
            session, before, seen_version, actor.user_id, changes, note, approving_side, actor.now
        )
        record = await replanned_record(
            session, actor.team_id, secondment_id, actor.policy, actor.now
        )
        changed = TermsChangedEvent(
            record, before.terms, changes, actor.user_id, note, approving_side
        )
        return await said(session, announce, changed, secondment_id, actor.now)


def _exception_kept(
    before: SecondmentRecord, terms: Terms, exception: PolicyException | None, policy: Policy
) -> PolicyException | None:
    """The exception the new terms ask: the one given or, with none given, the one asked for
    the terms they change, while the new ones are still outside HR's rules."""
    if exception is None and before.exception is not None:
        broken = term_breaks(terms.start_date, terms.end_date, policy.rules)
        if broken:
            exception = PolicyException(" ".join(broken), before.exception.reason)
    return exception


async def _claim_change(
    session: AsyncSession,
    before: SecondmentRecord,
    seen_version: int,
    actor_id: str,
    approving_side: Side | None,
    exception: PolicyException | None,
    now: datetime,
    policy: Policy,
) -> None:
    """The new version in force, once, for a new round; or the refusal that explains why not."""
    t = Secondment.__table__.c
    values: dict[Any, Any] = {
        t.terms_version: seen_version + 1,
        t.status: Status.PENDING.value,
        t.hr_state: SideState.PENDING.value if exception else None,
    } | new_round(approving_side, actor_id, now)
    result = await session.execute(
        update(Secondment)
        .where(
            t.id == before.id,
            t.team_id == before.team_id,
            t.terms_version == seen_version,
            t.status.in_(OPEN),
            _who_may_change(actor_id, approving_side),
        )
        .values(values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        # Explain from the state that stopped the update, not the one read before it.
        now_stored = await load_record(session, before.team_id, before.id, policy)
        assert now_stored is not None
        _explain(now_stored, seen_version, actor_id, approving_side)
        raise AssertionError("a refused change always has an explanation")


def _write_version(
    session: AsyncSession,
    secondment_id: int,
    version: int,
    actor_id: str,
    terms: Terms,
    note: str | None,
    exception: PolicyException | None,
    now: datetime,
) -> None:
    """The new version, with the exception to HR's rules it asks."""
    session.add(
        TermsVersion(
            secondment_id=secondment_id,
            version=version,
            created_by=actor_id,
            change_note=note,
            created_at=now,
            **asdict(terms),
            **exception_columns(exception),
        )
    )
    if exception is not None:
        record_exception_asked(session, secondment_id, actor_id, version, exception, now)


def _record_change(
    session: AsyncSession,
    before: SecondmentRecord,
    seen_version: int,
    actor_id: str,
    changes: list[TermChange],
    note: str | None,
    approving_side: Side | None,
    now: datetime,
) -> None:
    """The change's audit event: the fields it changed, and the side it approved."""
    record_event(
        session,
        secondment_id=before.id,
        actor_id=actor_id,
        action="terms_changed",
        terms_version=seen_version + 1,
        at=now,
        from_version=seen_version,
        fields=[c.field for c in changes],
        note=note,
        approved_side=approving_side.value if approving_side else None,
    )


def _with_conditions(
    before: SecondmentRecord, side: Side, version: int, actor_id: str, now: datetime
) -> Decision:
    """The approval, on their side, of the decider whose conditions are the new version."""
    manager = before.side(side).manager_id
    return Decision(
        secondment_id=before.id,
        side=side,
        terms_version=version,
        outcome=Outcome.APPROVED,
        kind=DecisionKind.WITH_CONDITIONS,
        decided_by=actor_id,
        on_behalf_of=manager if manager != actor_id else None,
        created_at=now,
    )


def new_round(approving_side: Side | None, actor_id: str, now: datetime) -> dict[Any, Any]:
    """The values that start a round of decisions on new terms: both sides undecided, except
    the one whose decider wrote the terms and so approves them."""
    t = Secondment.__table__.c
    values: dict[Any, Any] = {t.round: t.round + 1, t.round_started_at: now, t.updated_at: now}
    for side in Side:
        approved = side is approving_side
        values |= side_values(
            side,
            SideState.APPROVED if approved else SideState.PENDING,
            actor_id if approved else None,
            now if approved else None,
        )
    return values


def side_values(
    side: Side, state: SideState, by: str | None, at: datetime | None
) -> dict[Any, Any]:
    """The values of one side's state, and who decided it when."""
    t = Secondment.__table__.c
    if side is Side.HOME:
        return {t.home_state: state.value, t.home_decided_by: by, t.home_decided_at: at}
    return {t.host_state: state.value, t.host_decided_by: by, t.host_decided_at: at}


def _who_may_change(actor_id: str, approving_side: Side | None) -> Any:
    """The employee may change the terms; a decider may, when approving with conditions, while
    their side is undecided on a pending request or is the block on a blocked one."""
    t = Secondment.__table__.c
    if approving_side is None:
        return t.employee_id == actor_id
    home = approving_side is Side.HOME
    manager, delegate, state = (
        (t.home_manager_id, t.home_delegate_id, t.home_state)
        if home
        else (t.host_manager_id, t.host_delegate_id, t.host_state)
    )
    return and_(
        or_(manager == actor_id, delegate == actor_id),
        or_(
            and_(t.status == Status.PENDING.value, state == SideState.PENDING.value),
            and_(t.status == Status.BLOCKED.value, state == SideState.BLOCKED.value),
        ),
    )


async def _refuse_once_started(session: Any, before: SecondmentRecord, now: datetime) -> None:
    """Approved terms can change only before the start, in the employee's own calendar."""
    if before.status is not Status.APPROVED:
        return
    tz = (await timezones(session, before.team_id, [before.employee_id])).get(before.employee_id)
    if now.astimezone(zone_of(tz)).date() >= before.terms.start_date:
        raise AlreadyStarted(before.terms.start_date)  # rolls the transaction back


def _explain(
    record: SecondmentRecord, seen_version: int, actor_id: str, approving_side: Side | None
) -> None:
    """Raise the refusal explaining why the change was not made."""
    if approving_side is None:
        check_can_change(record, actor_id)
    side = record.side(approving_side) if approving_side else None
    if side and not side.may_decide(actor_id):
        raise NotYourSide(side.side, side.manager_id, side.delegate_id)
    if record.terms_version != seen_version:
        raise TermsChanged(seen_version, record.terms_version)
    if side and side.state is SideState.APPROVED and side.decided_by and side.decided_at:
        raise AlreadyDecided(side.side, side.state, side.decided_by, side.decided_at)
    raise NoLongerPending(record.status)
