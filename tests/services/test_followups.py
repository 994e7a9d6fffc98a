"""What can follow a request, at the service level on a real database: changing the terms (also
as a manager's approval with conditions), withdrawing, reconsidering and overriding a block,
notes, asking HR for a review, and handing a side's decision to a delegate.

Each service runs in its own transaction, as a listener would call it; races are run with
`asyncio.gather`, each call with its own session.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only

from bot.db import Sessions, make_sessions
from bot.domain.block_reasons import BlockDetails, BlockReason
from bot.domain.decisions import DecisionMade, DecisionRef
from bot.domain.errors import (
    AlreadyDecided,
    AlreadyEscalated,
    AlreadyStarted,
    HrNotConfigured,
    InvalidInput,
    NoLongerPending,
    NotBlocked,
    NotFound,
    NotYourSide,
    OnlyHr,
    OnlyThesePeople,
    OverrideNotAllowed,
    TermsChanged,
)
from bot.domain.kinds import EscalationKind, NoteKind, NudgeKind
from bot.domain.people import Person
from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.domain.states import DecisionKind, Outcome, Side, SideState, Status
from bot.domain.term_changes import TermsChangedEvent
from bot.domain.terms import Terms
from bot.models import AuditEvent, Decision, Escalation, Note, Nudge, TermsVersion
from bot.services.changes import NothingChanged, change_terms
from bot.services.decide import decide
from bot.services.delegation import delegate
from bot.services.escalations import ask_for_review
from bot.services.notes import add_note
from bot.services.outbox import quiet
from bot.services.queries import get_for_user
from bot.services.reconsider import override, reconsider
from bot.services.requests import NewRequest, create_request
from bot.services.withdrawal import withdraw
from bot.slack_standin.recorded import WAIT_LIMIT
from tests.support.actors import as_actor
from tests.support.outbox import thread_opened
from tests.support.rows import rows
from tests.support.samples import TERMS

TEAM = "T1"
EMPLOYEE, HOME, HOST = "UEMP", "UHOME", "UHOST"
DELEGATE, HR, STRANGER = "UDEL", "UHR", "UOUT"
LONDON = "Europe/London"
NOW = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)  # a Monday; TERMS start on 1 February 2027
LATER = NOW + timedelta(hours=2)
POLICY = Policy()
HR_POLICY = Policy(hr_can_override=True)
BLOCK = BlockDetails(BlockReason.COVER, "Nobody can cover the on-call rota until April.")
SHORTER = replace(TERMS, end_date=date(2027, 5, 28))


# --- helpers ------------------------------------------------------------------------------------


def people(employee_tz: str | None = LONDON) -> tuple[Person, ...]:
    return (Person(EMPLOYEE, tz=employee_tz), Person(HOME, tz=LONDON), Person(HOST, tz=LONDON))


async def new_request(
    sessions: Sessions, key: str = "req", *, employee_tz: str | None = LONDON
) -> SecondmentRecord:
    request = NewRequest(key, TEAM, EMPLOYEE, HOME, HOST, TERMS, people=people(employee_tz))
    record = (await create_request(sessions, request, policy=POLICY, now=NOW)).record
    await thread_opened(sessions, record.id)
    return record


def manager(side: Side) -> str:
    return HOME if side is Side.HOME else HOST


async def approve(
    sessions: Sessions,
    secondment_id: int,
    side: Side,
    *,
    version: int = 1,
    actor: str | None = None,
    now: datetime = NOW,
) -> DecisionMade:
    return await decide(
        sessions,
        ref=DecisionRef(secondment_id, side, version),
        outcome=Outcome.APPROVED,
        announce=quiet,
        actor=as_actor(actor or manager(side), team=TEAM, now=now, policy=POLICY),
    )


async def block(
    sessions: Sessions, secondment_id: int, side: Side = Side.HOME, *, version: int = 1
) -> DecisionMade:
    return await decide(
        sessions,
        ref=DecisionRef(secondment_id, side, version),
        outcome=Outcome.BLOCKED,
        announce=quiet,
        actor=as_actor(manager(side), team=TEAM, now=NOW, policy=POLICY),
        block=BLOCK,
    )


async def change(
    sessions: Sessions,
    secondment_id: int,
    *,
    actor: str = EMPLOYEE,
    seen: int = 1,
    terms: Terms = SHORTER,
    approving_side: Side | None = None,
    note: str | None = "Back before the summer.",
    now: datetime = LATER,
) -> TermsChangedEvent:
    return await change_terms(
        sessions,
        secondment_id=secondment_id,
        seen_version=seen,
        terms=terms,
        note=note,
        announce=quiet,
        actor=as_actor(actor, team=TEAM, now=now, policy=POLICY),
        approving_side=approving_side,
    )


async def audit(sessions: Sessions, action: str) -> list[AuditEvent]:
    return await rows(sessions, AuditEvent, AuditEvent.action == action)


async def open_nudges(sessions: Sessions, secondment_id: int) -> list[Nudge]:
    return await rows(
        sessions,
        Nudge,
        Nudge.secondment_id == secondment_id,
        Nudge.sent_at.is_(None),
        Nudge.cancelled_at.is_(None),
    )


async def current(sessions: Sessions, secondment_id: int) -> SecondmentRecord:
    return await get_for_user(
        sessions, secondment_id=secondment_id, actor=as_actor(EMPLOYEE, team=TEAM, policy=POLICY)
    )


@pytest.fixture
def sessions(engine: AsyncEngine) -> Sessions:
    return make_sessions(engine)


# --- change_terms -------------------------------------------------------------------------------


async def test_employee_change_makes_version_2_and_asks_both_sides_again(
    sessions: Sessions,
) -> None:
    record = await new_request(sessions)
    await approve(sessions, record.id, Side.HOST)

    changed = await change(sessions, record.id)

    after = changed.record
    assert (after.terms_version, after.terms.end_date) == (2, date(2027, 5, 28))
    assert after.status is Status.PENDING
    assert (after.home.state, after.host.state) == (SideState.PENDING, SideState.PENDING)
    assert after.host.decided_by is None
    assert (after.round, after.round_started_at) == (2, LATER)
    assert [(c.field, c.old, c.new) for c in changed.changes] == [
        ("end_date", TERMS.end_date, date(2027, 5, 28))
    ]
    versions = await rows(sessions, TermsVersion, TermsVersion.secondment_id == record.id)
    assert [(v.version, v.end_date, v.created_by) for v in versions] == [
        (1, TERMS.end_date, EMPLOYEE),
        (2, date(2027, 5, 28), EMPLOYEE),
    ]
    assert versions[1].change_note == "Back before the summer."
    (event,) = await audit(sessions, "terms_changed")
    assert (event.actor_id, event.terms_version, event.at) == (EMPLOYEE, 2, LATER)
    assert event.detail["fields"] == ["end_date"]
    assert event.detail["from_version"] == 1
    assert event.detail["approved_side"] is None


async def test_audit_lists_every_changed_field_in_form_order(sessions: Sessions) -> None:
    record = await new_request(sessions)
    terms = replace(TERMS, handover_weeks=4, role_title="Data engineer", time_commitment=100)

    await change(sessions, record.id, terms=terms)

    (event,) = await audit(sessions, "terms_changed")
    assert event.detail["fields"] == ["role_title", "time_commitment", "handover_weeks"]


async def test_a_second_change_makes_version_3_and_keeps_both_earlier_versions(
    sessions: Sessions,
) -> None:
    record = await new_request(sessions)
    await change(sessions, record.id)

    third = await change(sessions, record.id, seen=2, terms=replace(SHORTER, time_commitment=80))

    assert (third.record.terms_version, third.record.round) == (3, 3)
    versions = await rows(sessions, TermsVersion, TermsVersion.secondment_id == record.id)
    assert [v.version for v in versions] == [1, 2, 3]


async def test_identical_terms_change_nothing(sessions: Sessions) -> None:
    record = await new_request(sessions)

    with pytest.raises(NothingChanged):
        await change(sessions, record.id, terms=replace(TERMS))

    assert (await current(sessions, record.id)).terms_version == 1
    assert len(await rows(sessions, TermsVersion, TermsVersion.secondment_id == record.id)) == 1
    assert await audit(sessions, "terms_changed") == []


@pytest.mark.parametrize("actor", [HOME, HOST, STRANGER])
async def test_only_the_employee_may_propose_a_change(sessions: Sessions, actor: str) -> None:
    record = await new_request(sessions)

    with pytest.raises(OnlyThesePeople) as refused:
        await change(sessions, record.id, actor=actor)

    assert refused.value.allowed == (EMPLOYEE,)
    assert (await current(sessions, record.id)).terms_version == 1


async def test_a_change_on_stale_terms_is_refused(sessions: Sessions) -> None:
    record = await new_request(sessions)
    await change(sessions, record.id)

    with pytest.raises(TermsChanged) as refused:
        await change(sessions, record.id, seen=1, terms=replace(TERMS, time_commitment=50))

    assert (refused.value.version_seen, refused.value.current_version) == (1, 2)
    after = await current(sessions, record.id)
    assert (after.terms_version, after.terms.end_date) == (2, SHORTER.end_date)


async def test_a_withdrawn_request_cannot_change(sessions: Sessions) -> None:
    record = await new_request(sessions)
    await withdraw(
        sessions,
        secondment_id=record.id,
        announce=quiet,
        actor=as_actor(EMPLOYEE, team=TEAM, now=NOW, policy=POLICY),
    )

    with pytest.raises(NoLongerPending) as refused:
        await change(sessions, record.id)

    assert refused.value.status is Status.WITHDRAWN


async def test_manager_approving_with_conditions_approves_the_new_version(
    sessions: Sessions,
) -> None:
    record = await new_request(sessions)
    await approve(sessions, record.id, Side.HOST)  # on version 1: asked again on version 2

    changed = await change(sessions, record.id, actor=HOME, approving_side=Side.HOME)

    after = changed.record
    assert (after.terms_version, after.status) == (2, Status.PENDING)
    assert (after.home.state, after.home.decided_by, after.home.decided_at) == (
        SideState.APPROVED,
        HOME,
        LATER,
    )
    assert after.host.state is SideState.PENDING
    assert changed.approved_side is Side.HOME
    assert after.home.decision is not None
    assert after.home.decision.kind is DecisionKind.WITH_CONDITIONS
    decisions = await rows(sessions, Decision, Decision.terms_version == 2)
    assert [(d.side, d.outcome, d.kind, d.decided_by, d.on_behalf_of) for d in decisions] == [
        (Side.HOME, Outcome.APPROVED, DecisionKind.WITH_CONDITIONS, HOME, None)
    ]
    (event,) = await audit(sessions, "terms_changed")
    assert (event.actor_id, event.detail["approved_side"]) == (HOME, "home")
    # Only the other side is still waited for, on the new round.
    reminded = {(n.side, n.recipient_id) for n in await open_nudges(sessions, record.id)}
    assert reminded == {(Side.HOST, HOST), (None, None)}


async def test_the_blocking_manager_may_approve_with_conditions(sessions: Sessions) -> None:
    record = await new_request(sessions)
    await block(sessions, record.id, Side.HOME)

    changed = await change(sessions, record.id, actor=HOME, approving_side=Side.HOME)

    after = changed.record
    assert (after.status, after.terms_version, after.round) == (Status.PENDING, 2, 2)
    assert (after.home.state, after.host.state) == (SideState.APPROVED, SideState.PENDING)
    assert after.blocked_side is None


async def test_the_other_side_approving_with_conditions_completes_nothing_alone(
    sessions: Sessions,
) -> None:
    record = await new_request(sessions)
    await approve(sessions, record.id, Side.HOME)

    changed = await change(sessions, record.id, actor=HOST, approving_side=Side.HOST)

    assert changed.record.status is Status.PENDING  # home approved version 1, not version 2
    assert (changed.record.home.state, changed.record.host.state) == (
        SideState.PENDING,
        SideState.APPROVED,
    )


@pytest.mark.parametrize(
    ("setup", "actor", "side", "refusal"),
    [
        ("home_approved", HOME, Side.HOME, AlreadyDecided),  # their side already decided
        ("home_blocked", HOST, Side.HOST, NoLongerPending),  # not the blocked side
        ("pending", HOST, Side.HOME, NotYourSide),  # not their side
        ("pending", EMPLOYEE, Side.HOME, NotYourSide),
        ("approved", HOME, Side.HOME, AlreadyDecided),  # the request is approved
    ],
)
async def test_approving_with_conditions_is_refused_otherwise(
    sessions: Sessions, setup: str, actor: str, side: Side, refusal: type[Exception]
) -> None:
    record = await new_request(sessions)
    if setup == "home_approved":
        await approve(sessions, record.id, Side.HOME)
    elif setup == "home_blocked":
        await block(sessions, record.id, Side.HOME)
    elif setup == "approved":
        await approve(sessions, record.id, Side.HOME)
        await approve(sessions, record.id, Side.HOST)
    before = await current(sessions, record.id)

    with pytest.raises(refusal):
        await change(sessions, record.id, actor=actor, approving_side=side)

    after = await current(sessions, record.id)
    assert after == before
    assert await rows(sessions, Decision, Decision.kind == DecisionKind.WITH_CONDITIONS) == []


async def test_approved_terms_can_change_before_the_start(sessions: Sessions) -> None:
    record = await new_request(sessions)
    await approve(sessions, record.id, Side.HOME)
    await approve(sessions, record.id, Side.HOST)

    changed = await change(sessions, record.id, now=datetime(2027, 1, 31, 12, tzinfo=UTC))

    assert changed.record.status is Status.PENDING
    assert changed.record.terms_version == 2


@pytest.mark.parametrize(
    ("employee_tz", "started"),
    [("Pacific/Auckland", True), ("America/Los_Angeles", False), (None, False)],
)
async def test_approved_terms_cannot_change_once_started_where_the_employee_is(
    sessions: Sessions, employee_tz: str | None, started: bool
) -> None:
    # Sunday 31 January 12:00 UTC is already Monday 1 February, the start, in Auckland.
    now = datetime(2027, 1, 31, 12, tzinfo=UTC)
    record = await new_request(sessions, employee_tz=employee_tz)
    await approve(sessions, record.id, Side.HOME)
    await approve(sessions, record.id, Side.HOST)

    if not started:
        assert (await change(sessions, record.id, now=now)).record.terms_version == 2
        return
    with pytest.raises(AlreadyStarted) as refused:
        await change(sessions, record.id, now=now)

    assert refused.value.start_date == TERMS.start_date
    after = await current(sessions, record.id)
    assert (after.status, after.terms_version, after.round) == (Status.APPROVED, 1, 1)
    assert len(await rows(sessions, TermsVersion, TermsVersion.secondment_id == record.id)) == 1
    assert await audit(sessions, "terms_changed") == []


async def test_a_change_racing_an_approval_never_counts_the_approval_on_the_new_terms(
    engine: AsyncEngine,
) -> None:
    for attempt in range(8):
        record = await new_request(make_sessions(engine), f"race-{attempt}")
        changing = change(make_sessions(engine), record.id)
        approving = approve(make_sessions(engine), record.id, Side.HOME)
        calls = (changing, approving) if attempt % 2 else (approving, changing)

        results = await asyncio.gather(*calls, return_exceptions=True)

        changed = next(r for r in results if isinstance(r, TermsChangedEvent))
        approval = next(r for r in results if not isinstance(r, TermsChangedEvent))
        assert isinstance(approval, DecisionMade | TermsChanged), approval
        after = await current(make_sessions(engine), record.id)
        assert (after.terms_version, after.status) == (2, Status.PENDING)
        assert (after.home.state, after.host.state) == (SideState.PENDING, SideState.PENDING)
        assert changed.record.home.state is SideState.PENDING
        decisions = await rows(make_sessions(engine), Decision, Decision.secondment_id == record.id)
        if isinstance(approval, DecisionMade):
            # It landed on version 1 and the change then asked again.
            assert [(d.terms_version, d.side) for d in decisions] == [(1, Side.HOME)]
        else:
            assert (approval.version_seen, approval.current_version) == (1, 2)
            assert decisions == []


async def test_the_loser_of_two_simultaneous_changes_is_told_the_terms_changed(
    engine: AsyncEngine,
) -> None:
    record = await new_request(make_sessions(engine))
    hold = None
    if engine.dialect.name == "postgresql":
        # Both read version 1 before either writes, as two app processes can on PostgreSQL.
        # (On SQLite each transaction takes the write lock when it begins, so they queue.)
        both_read = asyncio.Barrier(2)

        def hold(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if statement.lstrip().startswith("UPDATE secondments"):
                await_only(asyncio.wait_for(both_read.wait(), WAIT_LIMIT))

        event.listen(engine.sync_engine, "before_cursor_execute", hold)
    try:
        results = await asyncio.gather(
            change(make_sessions(engine), record.id),
            change(
                make_sessions(engine),
                record.id,
                actor=HOME,
                approving_side=Side.HOME,
                terms=replace(TERMS, handover_weeks=6),
            ),
            return_exceptions=True,
        )
    finally:
        if hold is not None:
            event.remove(engine.sync_engine, "before_cursor_execute", hold)

    assert sum(isinstance(r, TermsChangedEvent) for r in results) == 1, results
    (loser,) = [r for r in results if not isinstance(r, TermsChangedEvent)]
    assert isinstance(loser, TermsChanged), loser
    assert (loser.version_seen, loser.current_version) == (1, 2)
    after = await current(make_sessions(engine), record.id)
    assert after.terms_version == 2


# --- withdraw -----------------------------------------------------------------------------------


async def _withdraw(
    sessions: Sessions, secondment_id: int, actor: str = EMPLOYEE, now: datetime = LATER
) -> SecondmentRecord:
    return await withdraw(
        sessions,
        secondment_id=secondment_id,
        announce=quiet,
        actor=as_actor(actor, team=TEAM, now=now, policy=POLICY),
    )


async def test_withdrawing_cancels_every_unsent_nudge(sessions: Sessions) -> None:
    record = await new_request(sessions)
    other = await new_request(sessions, "other")
    assert len(await open_nudges(sessions, record.id)) == 5

    withdrawn = await _withdraw(sessions, record.id)

    assert withdrawn.status is Status.WITHDRAWN
    assert await open_nudges(sessions, record.id) == []
    cancelled = await rows(sessions, Nudge, Nudge.secondment_id == record.id)
    assert {n.cancelled_at for n in cancelled} == {LATER}
    assert len(await open_nudges(sessions, other.id)) == 5  # another request keeps its own
    (event,) = await audit(sessions, "withdrawn")
    assert (event.secondment_id, event.actor_id) == (record.id, EMPLOYEE)


async def test_withdrawing_closes_open_escalations(sessions: Sessions) -> None:
    record = await new_request(sessions)
    await block(sessions, record.id)
    await ask_for_review(
        sessions,
        secondment_id=record.id,
        message=None,
        announce=quiet,
        actor=as_actor(EMPLOYEE, team=TEAM, now=NOW, policy=POLICY),
    )

    withdrawn = await _withdraw(sessions, record.id)

    assert withdrawn.open_escalations == ()
    (escalation,) = await rows(sessions, Escalation, Escalation.secondment_id == record.id)
    assert escalation.resolved_at == LATER


async def test_an_approved_request_can_be_withdrawn_before_the_start(sessions: Sessions) -> None:
    record = await new_request(sessions)
    await approve(sessions, record.id, Side.HOME)
    await approve(sessions, record.id, Side.HOST)

    withdrawn = await _withdraw(sessions, record.id, now=datetime(2027, 1, 31, 9, tzinfo=UTC))

    assert withdrawn.status is Status.WITHDRAWN


@pytest.mark.parametrize("actor", [HOME, HOST])
async def test_only_the_employee_may_withdraw(sessions: Sessions, actor: str) -> None:
    record = await new_request(sessions)

    with pytest.raises(OnlyThesePeople) as refused:
        await _withdraw(sessions, record.id, actor)

    assert refused.value.allowed == (EMPLOYEE,)
    assert (await current(sessions, record.id)).status is Status.PENDING


async def test_a_stranger_withdrawing_is_told_it_was_not_found(sessions: Sessions) -> None:
    record = await new_request(sessions)

    with pytest.raises(NotFound):
        await _withdraw(sessions, record.id, STRANGER)

    assert (await current(sessions, record.id)).status is Status.PENDING
    assert len(await open_nudges(sessions, record.id)) == 5


@pytest.mark.parametrize(
    ("employee_tz", "now", "started"),
    [
        # The day before the start where the employee is: still allowed.
        (LONDON, datetime(2027, 1, 31, 23, 59, tzinfo=UTC), False),
        (LONDON, datetime(2027, 2, 1, 0, 0, tzinfo=UTC), True),
        # 11:00 UTC on 31 January is already 1 February in Auckland.
        ("Pacific/Auckland", datetime(2027, 1, 31, 11, 0, tzinfo=UTC), True),
        ("America/Los_Angeles", datetime(2027, 2, 1, 7, 59, tzinfo=UTC), False),
    ],
    ids=["london-eve", "london-start", "auckland-start", "los-angeles-eve"],
)
async def test_an_approved_secondment_can_be_withdrawn_only_before_the_start(
    sessions: Sessions, employee_tz: str, now: datetime, started: bool
) -> None:
    record = await new_request(sessions, employee_tz=employee_tz)
    for side in Side:
        await approve(sessions, record.id, side)

    if not started:
        assert (await _withdraw(sessions, record.id, now=now)).status is Status.WITHDRAWN
        return
    with pytest.raises(AlreadyStarted):
        await _withdraw(sessions, record.id, now=now)
    assert (await current(sessions, record.id)).status is Status.APPROVED


async def test_a_request_never_approved_can_be_withdrawn_after_its_planned_start(
    sessions: Sessions,
) -> None:
    # Nothing started: the planned start passed while the managers had not both approved.
    record = await new_request(sessions)

    withdrawn = await _withdraw(sessions, record.id, now=datetime(2027, 3, 1, 9, tzinfo=UTC))

    assert withdrawn.status is Status.WITHDRAWN


async def test_withdrawing_twice_is_refused(sessions: Sessions) -> None:
    record = await new_request(sessions)
    await _withdraw(sessions, record.id)

    with pytest.raises(NoLongerPending) as refused:
        await _withdraw(sessions, record.id)

    assert refused.value.status is Status.WITHDRAWN
    assert len(await audit(sessions, "withdrawn")) == 1


async def test_a_withdrawal_racing_approvals_always_ends_withdrawn(engine: AsyncEngine) -> None:
    for attempt in range(8):
        record = await new_request(make_sessions(engine), f"race-{attempt}")
        calls: list[Coroutine[Any, Any, DecisionMade | SecondmentRecord]] = [
            approve(make_sessions(engine), record.id, Side.HOME),
            approve(make_sessions(engine), record.id, Side.HOST),
        ]
        calls.insert(attempt % 3, _withdraw(make_sessions(engine), record.id))

        results = await asyncio.gather(*calls, return_exceptions=True)

        assert sum(isinstance(r, SecondmentRecord) for r in results) == 1, results
        refusals = [r for r in results if isinstance(r, BaseException)]
        assert all(isinstance(r, NoLongerPending) for r in refusals), refusals
        after = await current(make_sessions(engine), record.id)
        assert after.status is Status.WITHDRAWN
        assert await open_nudges(make_sessions(engine), record.id) == []


# --- reconsider and override ---------------------------------------------------------------------


async def test_reconsidering_lifts_the_block_and_starts_a_new_round(sessions: Sessions) -> None:
    record = await new_request(sessions)
    await block(sessions, record.id, Side.HOME)
    assert await open_nudges(sessions, record.id) == []  # nothing is sent while blocked
    tuesday = datetime(2027, 1, 5, 10, tzinfo=UTC)

    made = await reconsider(
        sessions,
        ref=DecisionRef(record.id, Side.HOME, 1),
        announce=quiet,
        actor=as_actor(HOME, team=TEAM, now=tuesday, policy=POLICY),
    )

    after = made.record
    assert (after.status, after.round, after.round_started_at) == (Status.PENDING, 2, tuesday)
    assert (after.home.state, after.host.state) == (SideState.APPROVED, SideState.PENDING)
    assert made.kind is DecisionKind.RECONSIDERED
    assert after.home.decision is not None
    assert after.home.decision.kind is DecisionKind.RECONSIDERED
    fresh = await open_nudges(sessions, record.id)
    # London is on GMT in January: 09:00 local is 09:00 UTC, counted from the Tuesday.
    assert [(n.round, n.kind, n.recipient_id, n.sequence, n.due_at) for n in fresh] == [
        (2, NudgeKind.DECISION_REMINDER, HOST, 1, datetime(2027, 1, 8, 9, tzinfo=UTC)),
        (2, NudgeKind.DECISION_REMINDER, HOST, 2, datetime(2027, 1, 13, 9, tzinfo=UTC)),
        (2, NudgeKind.DECISION_ESCALATION, None, 1, datetime(2027, 1, 14, 9, tzinfo=UTC)),
    ]


async def test_reconsidering_when_the_other_side_approved_completes_the_approval(
    sessions: Sessions,
) -> None:
    record = await new_request(sessions)
    await approve(sessions, record.id, Side.HOST)
    await block(sessions, record.id, Side.HOME)

    made = await reconsider(
        sessions,
        ref=DecisionRef(record.id, Side.HOME, 1),
        announce=quiet,
        actor=as_actor(HOME, team=TEAM, now=LATER, policy=POLICY),
    )

    assert made.completed_approval
    waiting = {n.kind for n in await open_nudges(sessions, record.id)}
    # No decision is awaited any more; the start of the secondment is planned instead.
    assert waiting == {
        NudgeKind.SECONDMENT_START,
        NudgeKind.START_WELCOME,
        NudgeKind.COVERAGE_NOTICE,
    }
    assert len(await audit(sessions, "approved")) == 1


@pytest.mark.parametrize("actor", [HOST, EMPLOYEE])
async def test_only_the_blocking_side_may_reconsider(sessions: Sessions, actor: str) -> None:
    record = await new_request(sessions)
    await block(sessions, record.id, Side.HOME)

    with pytest.raises(NotYourSide):
        await reconsider(
            sessions,
            ref=DecisionRef(record.id, Side.HOME, 1),
            announce=quiet,
            actor=as_actor(actor, team=TEAM, now=LATER, policy=POLICY),
        )

    assert (await current(sessions, record.id)).status is Status.BLOCKED


async def _override(
    sessions: Sessions, secondment_id: int, *, actor_is_hr: bool, policy: Policy
) -> DecisionMade:
    return await override(
        sessions,
        ref=DecisionRef(secondment_id, Side.HOME, 1),
        justification="Cover is agreed with the platform team from March.",
        announce=quiet,
        actor=as_actor(HR, team=TEAM, now=LATER, policy=policy, is_hr=actor_is_hr),
    )


async def test_hr_override_lifts_the_block_on_the_managers_behalf(sessions: Sessions) -> None:
    record = await new_request(sessions)
    await block(sessions, record.id, Side.HOME)

    made = await _override(sessions, record.id, actor_is_hr=True, policy=HR_POLICY)

    assert (made.kind, made.on_behalf_of, made.actor_id) == (DecisionKind.HR_OVERRIDE, HOME, HR)
    assert made.record.status is Status.PENDING
    assert made.record.home.state is SideState.APPROVED
    assert made.record.round == 2
    latest = (await rows(sessions, Decision, Decision.secondment_id == record.id))[-1]
    assert (latest.kind, latest.outcome, latest.decided_by, latest.on_behalf_of) == (
        DecisionKind.HR_OVERRIDE,
        Outcome.APPROVED,
        HR,
        HOME,
    )
    assert latest.explanation == "Cover is agreed with the platform team from March."
    (event,) = await audit(sessions, "home_block_overridden")
    assert event.detail["justification"] == latest.explanation


@pytest.mark.parametrize(
    ("actor_is_hr", "policy", "refusal"),
    [(False, HR_POLICY, OnlyHr), (False, POLICY, OnlyHr), (True, POLICY, OverrideNotAllowed)],
    ids=["not-hr", "not-hr-policy-off", "policy-off"],
)
async def test_override_needs_hr_and_the_policy(
    sessions: Sessions, actor_is_hr: bool, policy: Policy, refusal: type[Exception]
) -> None:
    record = await new_request(sessions)
    await block(sessions, record.id, Side.HOME)

    with pytest.raises(refusal):
        await _override(sessions, record.id, actor_is_hr=actor_is_hr, policy=policy)

    after = await current(sessions, record.id)
    assert (after.status, after.home.state, after.round) == (Status.BLOCKED, SideState.BLOCKED, 1)
    assert await audit(sessions, "home_block_overridden") == []


async def test_override_without_a_block_is_refused(sessions: Sessions) -> None:
    record = await new_request(sessions)

    with pytest.raises(NotBlocked):
        await _override(sessions, record.id, actor_is_hr=True, policy=HR_POLICY)


# --- notes --------------------------------------------------------------------------------------


async def _note(
    sessions: Sessions,
    secondment_id: int,
    actor: str,
    kind: NoteKind = NoteKind.RESPONSE,
    *,
    key: str = "view-1",
    actor_is_hr: bool = False,
) -> Any:
    return await add_note(
        sessions,
        secondment_id=secondment_id,
        kind=kind,
        text="We can lend a contractor for the rota.",
        source_key=key,
        announce=quiet,
        actor=as_actor(actor, team=TEAM, now=LATER, policy=POLICY, is_hr=actor_is_hr),
    )


async def test_the_other_sides_decider_may_respond_to_a_block(sessions: Sessions) -> None:
    record = await new_request(sessions)
    await block(sessions, record.id, Side.HOME)

    added = await _note(sessions, record.id, HOST)

    assert (added.is_new, added.kind, added.author_id) == (True, NoteKind.RESPONSE, HOST)
    (note,) = await rows(sessions, Note, Note.secondment_id == record.id)
    assert (note.kind, note.author_id, note.terms_version, note.text) == (
        NoteKind.RESPONSE,
        HOST,
        1,
        "We can lend a contractor for the rota.",
    )
    assert len(await audit(sessions, "note_response")) == 1


@pytest.mark.parametrize("actor", [HOME, EMPLOYEE])
async def test_nobody_else_may_respond_to_the_block(sessions: Sessions, actor: str) -> None:
    record = await new_request(sessions)
    await block(sessions, record.id, Side.HOME)

    with pytest.raises(OnlyThesePeople) as refused:
        await _note(sessions, record.id, actor)

    assert refused.value.allowed == (HOST,)
    assert await rows(sessions, Note) == []


async def test_a_response_without_a_block_is_refused(sessions: Sessions) -> None:
    record = await new_request(sessions)

    with pytest.raises(NotBlocked):
        await _note(sessions, record.id, HOST)

    assert await rows(sessions, Note) == []


async def test_a_stranger_adding_a_note_is_told_it_was_not_found(sessions: Sessions) -> None:
    record = await new_request(sessions)
    await block(sessions, record.id, Side.HOME)

    with pytest.raises(NotFound):
        await _note(sessions, record.id, STRANGER)


async def test_hr_may_add_a_note_to_any_request(sessions: Sessions) -> None:
    record = await new_request(sessions)

    added = await _note(sessions, record.id, HR, NoteKind.HR_NOTE, actor_is_hr=True)

    assert (added.is_new, added.kind) == (True, NoteKind.HR_NOTE)
    (note,) = await rows(sessions, Note)
    assert (note.kind, note.author_id) == (NoteKind.HR_NOTE, HR)


@pytest.mark.parametrize("actor", [EMPLOYEE, HOME])
async def test_an_hr_note_needs_hr(sessions: Sessions, actor: str) -> None:
    record = await new_request(sessions)

    with pytest.raises(OnlyHr):
        await _note(sessions, record.id, actor, NoteKind.HR_NOTE)

    assert await rows(sessions, Note) == []


async def test_the_same_submission_twice_adds_one_note(sessions: Sessions) -> None:
    record = await new_request(sessions)
    await block(sessions, record.id, Side.HOME)

    first = await _note(sessions, record.id, HOST, key="view-42")
    second = await _note(sessions, record.id, HOST, key="view-42")
    third = await _note(sessions, record.id, HOST, key="view-43")

    assert (first.is_new, second.is_new, third.is_new) == (True, False, True)
    assert len(await rows(sessions, Note)) == 2
    assert len(await audit(sessions, "note_response")) == 2


# --- ask_for_review -----------------------------------------------------------------------------


async def _ask(sessions: Sessions, secondment_id: int, actor: str, now: datetime = LATER) -> Any:
    return await ask_for_review(
        sessions,
        secondment_id=secondment_id,
        message="Please look at the cover plan.",
        announce=quiet,
        actor=as_actor(actor, team=TEAM, now=now, policy=POLICY),
    )


@pytest.mark.parametrize("actor", [EMPLOYEE, HOST])
async def test_the_employee_or_the_other_side_may_ask_hr_to_review_a_block(
    sessions: Sessions, actor: str
) -> None:
    record = await new_request(sessions)
    await block(sessions, record.id, Side.HOME)

    raised = await _ask(sessions, record.id, actor)

    assert (raised.kind, raised.raised_by) == (EscalationKind.BLOCK_REVIEW, actor)
    (escalation,) = await rows(sessions, Escalation)
    assert (escalation.kind, escalation.raised_by, escalation.round, escalation.resolved_at) == (
        EscalationKind.BLOCK_REVIEW,
        actor,
        1,
        None,
    )
    assert escalation.message == "Please look at the cover plan."
    assert len(await audit(sessions, "escalated_block_review")) == 1


async def test_the_blocking_manager_may_not_ask_for_a_review(sessions: Sessions) -> None:
    record = await new_request(sessions)
    await block(sessions, record.id, Side.HOME)

    with pytest.raises(OnlyThesePeople) as refused:
        await _ask(sessions, record.id, HOME)

    assert set(refused.value.allowed) == {EMPLOYEE, HOST}
    assert await rows(sessions, Escalation) == []


async def test_a_review_without_a_block_is_refused(sessions: Sessions) -> None:
    record = await new_request(sessions)

    with pytest.raises(NotBlocked):
        await _ask(sessions, record.id, EMPLOYEE)


async def test_a_second_ask_in_the_same_round_names_the_first(sessions: Sessions) -> None:
    record = await new_request(sessions)
    await block(sessions, record.id, Side.HOME)
    await _ask(sessions, record.id, EMPLOYEE, now=LATER)

    with pytest.raises(AlreadyEscalated) as refused:
        await _ask(sessions, record.id, HOST, now=LATER + timedelta(hours=1))

    assert refused.value.kind is EscalationKind.BLOCK_REVIEW
    assert (refused.value.raised_by, refused.value.raised_at) == (EMPLOYEE, LATER)
    assert len(await rows(sessions, Escalation)) == 1


async def test_after_a_new_round_a_review_can_be_asked_again(sessions: Sessions) -> None:
    record = await new_request(sessions)
    await block(sessions, record.id, Side.HOME)
    await _ask(sessions, record.id, EMPLOYEE, now=LATER)
    await reconsider(
        sessions,
        ref=DecisionRef(record.id, Side.HOME, 1),
        announce=quiet,
        actor=as_actor(HOME, team=TEAM, now=LATER, policy=POLICY),
    )
    await block(sessions, record.id, Side.HOST)  # round 2 is blocked in its turn
    second_ask = LATER + timedelta(days=1)

    raised = await _ask(sessions, record.id, EMPLOYEE, now=second_ask)

    assert raised.record.round == 2
    escalations = await rows(sessions, Escalation)
    assert [(e.round, e.resolved_at) for e in escalations] == [(1, LATER), (2, None)]
    with pytest.raises(AlreadyEscalated) as refused:
        await _ask(sessions, record.id, HOME, now=second_ask + timedelta(hours=1))
    assert (refused.value.raised_by, refused.value.raised_at) == (EMPLOYEE, second_ask)


# --- delegate -----------------------------------------------------------------------------------


async def _delegate(
    sessions: Sessions,
    secondment_id: int,
    to: str,
    *,
    actor: str = HOME,
    side: Side = Side.HOME,
    now: datetime = LATER,
) -> Any:
    return await delegate(
        sessions,
        ref=DecisionRef(secondment_id, side, 1),
        person=Person(to, tz=LONDON),
        announce=quiet,
        actor=as_actor(actor, team=TEAM, now=now, policy=POLICY),
    )


@pytest.mark.parametrize(
    ("actor", "refusal"),
    [(HOST, NotYourSide), (EMPLOYEE, NotYourSide), (STRANGER, NotFound)],
)
async def test_only_the_manager_may_delegate_their_side(
    sessions: Sessions, actor: str, refusal: type[Exception]
) -> None:
    record = await new_request(sessions)

    with pytest.raises(refusal):
        await _delegate(sessions, record.id, DELEGATE, actor=actor)

    assert (await current(sessions, record.id)).home.delegate_id is None


async def test_a_delegate_cannot_pass_the_decision_on(sessions: Sessions) -> None:
    record = await new_request(sessions)
    await _delegate(sessions, record.id, DELEGATE)

    with pytest.raises(NotYourSide):
        await _delegate(sessions, record.id, "UOTHER", actor=DELEGATE)

    assert (await current(sessions, record.id)).home.delegate_id == DELEGATE


async def test_the_delegate_decides_on_the_managers_behalf(sessions: Sessions) -> None:
    record = await new_request(sessions)

    delegated = await _delegate(sessions, record.id, DELEGATE)
    made = await approve(sessions, record.id, Side.HOME, actor=DELEGATE)

    assert (delegated.delegate_id, delegated.manager_id) == (DELEGATE, HOME)
    assert delegated.record.home.decider_id == DELEGATE
    assert (made.actor_id, made.on_behalf_of) == (DELEGATE, HOME)
    (decision,) = await rows(sessions, Decision)
    assert (decision.decided_by, decision.on_behalf_of) == (DELEGATE, HOME)
    (event,) = await audit(sessions, "home_delegated")
    assert (event.actor_id, event.detail["delegate_id"]) == (HOME, DELEGATE)


async def test_reminders_follow_the_decision_to_the_delegate(sessions: Sessions) -> None:
    record = await new_request(sessions)
    before = await open_nudges(sessions, record.id)
    home_due = sorted(n.due_at for n in before if n.recipient_id == HOME)
    others = {(n.id, n.due_at) for n in before if n.recipient_id != HOME}

    await _delegate(sessions, record.id, DELEGATE)

    all_home = await rows(sessions, Nudge, Nudge.recipient_id == HOME)
    assert len(all_home) == 2
    assert {n.cancelled_at for n in all_home} == {LATER}
    after = await open_nudges(sessions, record.id)
    assert sorted(n.due_at for n in after if n.recipient_id == DELEGATE) == home_due
    assert all(n.side is Side.HOME for n in after if n.recipient_id == DELEGATE)
    assert {(n.id, n.due_at) for n in after if n.recipient_id != DELEGATE} == others


async def test_delegating_back_to_the_manager_clears_the_delegate(sessions: Sessions) -> None:
    record = await new_request(sessions)
    first = await open_nudges(sessions, record.id)
    home_due = sorted(n.due_at for n in first if n.recipient_id == HOME)
    await _delegate(sessions, record.id, DELEGATE)

    back = await _delegate(sessions, record.id, HOME, now=LATER + timedelta(hours=1))

    assert (back.delegate_id, back.previous_delegate_id) == (None, DELEGATE)
    assert back.record.home.delegate_id is None
    assert back.record.home.decider_id == HOME
    after = await open_nudges(sessions, record.id)
    assert sorted(n.due_at for n in after if n.recipient_id == HOME) == home_due
    assert [n for n in after if n.recipient_id == DELEGATE] == []
    with pytest.raises(NotYourSide):
        await approve(sessions, record.id, Side.HOME, actor=DELEGATE)


async def test_delegating_a_side_that_already_decided_says_it_was_decided(
    sessions: Sessions,
) -> None:
    record = await new_request(sessions)
    await approve(sessions, record.id, Side.HOME)

    with pytest.raises(AlreadyDecided) as refused:
        await _delegate(sessions, record.id, DELEGATE)

    assert (refused.value.side, refused.value.decided_by) == (Side.HOME, HOME)
    assert (await current(sessions, record.id)).home.delegate_id is None


@pytest.mark.parametrize("to", [EMPLOYEE, HOST], ids=["employee", "other-manager"])
async def test_delegating_to_someone_with_a_stake_is_refused(sessions: Sessions, to: str) -> None:
    record = await new_request(sessions)

    with pytest.raises(InvalidInput) as refused:
        await _delegate(sessions, record.id, to)

    assert list(refused.value.errors) == ["delegate"]
    assert (await current(sessions, record.id)).home.delegate_id is None


async def test_asking_hr_is_refused_on_submission_too_when_no_hr_is_set_up(
    sessions: Sessions,
) -> None:
    # The button refuses first; this is the server's own check on the submitted form.
    record = await new_request(sessions)
    await block(sessions, record.id, Side.HOME)

    with pytest.raises(HrNotConfigured):
        await ask_for_review(
            sessions,
            secondment_id=record.id,
            message=None,
            announce=quiet,
            actor=as_actor(
                EMPLOYEE, team=TEAM, now=LATER, policy=replace(POLICY, hr_configured=False)
            ),
        )
    assert await rows(sessions, Escalation) == []
