"""Nudges as rows: planned by the services that change a request (bot.services.nudges), then
claimed, sent or given up by the sweep (bot.services.sweep and bot.services.delivered), always
with an explicit `now`.

The people are spread over three timezones, so each planned nudge has its own due time:
the home manager in London (GMT in January), the host manager in Los Angeles (UTC-8) and the
employee, whose clock HR's escalation follows, in Brisbane (UTC+10).
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import Sessions, make_engine, make_sessions
from bot.domain.block_reasons import BlockDetails, BlockReason
from bot.domain.decisions import DecisionMade, DecisionRef
from bot.domain.kinds import EscalationKind, NudgeKind
from bot.domain.people import Person
from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.domain.states import Outcome, Side, SideState, Status
from bot.models import AuditEvent, Base, Escalation, Nudge, Secondment
from bot.services.changes import change_terms
from bot.services.decide import decide
from bot.services.delivered import mark_failed, mark_sent
from bot.services.outbox import LEASE, quiet
from bot.services.queries import get_for_user
from bot.services.requests import NewRequest, create_request
from bot.services.sweep import Due, claim_due
from tests.support.actors import as_actor
from tests.support.outbox import thread_opened
from tests.support.rows import rows
from tests.support.samples import TERMS

TEAM = "T1"
EMPLOYEE, HOME, HOST, DELEGATE = "UEMP", "UHOME", "UHOST", "UDEL"
PEOPLE = (
    Person(EMPLOYEE, tz="Australia/Brisbane"),
    Person(HOME, tz="Europe/London"),
    Person(HOST, tz="America/Los_Angeles"),
)
NOW = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)  # Monday
POLICY = Policy()
SECOND = timedelta(seconds=1)

# Three and six working days after Monday 4 January, at 09:00 where each manager is, and seven
# working days at 09:00 in Brisbane for HR.
HOME_FIRST = datetime(2027, 1, 7, 9, tzinfo=UTC)
HOME_SECOND = datetime(2027, 1, 12, 9, tzinfo=UTC)
HOST_FIRST = datetime(2027, 1, 7, 17, tzinfo=UTC)
HOST_SECOND = datetime(2027, 1, 12, 17, tzinfo=UTC)
ESCALATION = datetime(2027, 1, 12, 23, tzinfo=UTC)
REMINDER, ESCALATE = NudgeKind.DECISION_REMINDER, NudgeKind.DECISION_ESCALATION


# --- helpers ------------------------------------------------------------------------------------


@pytest.fixture
def sessions(engine: AsyncEngine) -> Sessions:
    return make_sessions(engine)


async def new_request(sessions: Sessions, key: str = "req") -> SecondmentRecord:
    request = NewRequest(key, TEAM, EMPLOYEE, HOME, HOST, TERMS, people=PEOPLE)
    record = (await create_request(sessions, request, policy=POLICY, now=NOW)).record
    await thread_opened(sessions, record.id)
    return record


async def decide_side(
    sessions: Sessions, secondment_id: int, side: Side, outcome: Outcome, now: datetime
) -> DecisionMade:
    block = None
    if outcome is Outcome.BLOCKED:
        block = BlockDetails(BlockReason.WORKLOAD, "The team is short until the release ships.")
    return await decide(
        sessions,
        ref=DecisionRef(secondment_id, side, 1),
        outcome=outcome,
        announce=quiet,
        actor=as_actor(HOME if side is Side.HOME else HOST, team=TEAM, now=now, policy=POLICY),
        block=block,
    )


async def nudge(sessions: Sessions, nudge_id: int) -> Nudge:
    (row,) = await rows(sessions, Nudge, Nudge.id == nudge_id)
    return row


async def set_row(sessions: Sessions, secondment_id: int, **values: Any) -> None:
    """Change the request behind the services' back, as if a change had not re-planned yet."""
    async with sessions.begin() as session:
        await session.execute(
            update(Secondment).where(Secondment.id == secondment_id).values(**values)
        )


def plan_of(nudges: list[Nudge]) -> list[tuple[Any, ...]]:
    return sorted(
        ((n.kind, n.side, n.sequence, n.recipient_id, n.due_at) for n in nudges),
        key=lambda t: (t[4], str(t[1])),
    )


def summary(due: list[Due]) -> list[tuple[Any, ...]]:
    return [(d.kind, d.side, d.sequence, d.recipient_id) for d in due]


async def reminded_on_time(sessions: Sessions) -> None:
    """Send each reminder at its time, as a running bot does: HR's escalation is then due on
    its own day."""
    for at in (HOME_FIRST, HOST_FIRST, HOME_SECOND, HOST_SECOND):
        for due in await claim_due(sessions, now=at, policy=POLICY):
            assert due.kind is REMINDER
            await mark_sent(sessions, due, now=at + SECOND, policy=POLICY)


# --- planning through the services ---------------------------------------------------------------


async def test_a_new_request_plans_two_reminders_per_manager_and_one_escalation(
    sessions: Sessions,
) -> None:
    record = await new_request(sessions)

    nudges = await rows(sessions, Nudge, Nudge.secondment_id == record.id)

    assert plan_of(nudges) == [
        (REMINDER, Side.HOME, 1, HOME, HOME_FIRST),
        (REMINDER, Side.HOST, 1, HOST, HOST_FIRST),
        (REMINDER, Side.HOME, 2, HOME, HOME_SECOND),
        (REMINDER, Side.HOST, 2, HOST, HOST_SECOND),
        (ESCALATE, None, 1, None, ESCALATION),
    ]
    assert {(n.round, n.attempts, n.created_at) for n in nudges} == {(1, 0, NOW)}
    assert all(n.sent_at is n.cancelled_at is n.claimed_until is None for n in nudges)


async def test_a_retried_request_plans_nothing_twice(sessions: Sessions) -> None:
    await new_request(sessions)
    await new_request(sessions)  # the same submission key again

    assert len(await rows(sessions, Nudge)) == 5


async def test_deciding_a_side_cancels_its_unsent_reminders(sessions: Sessions) -> None:
    record = await new_request(sessions)
    decided_at = NOW + timedelta(hours=3)

    await decide_side(sessions, record.id, Side.HOME, Outcome.APPROVED, decided_at)

    nudges = await rows(sessions, Nudge, Nudge.secondment_id == record.id)
    cancelled = [n for n in nudges if n.cancelled_at is not None]
    assert [(n.side, n.sequence, n.cancelled_at) for n in cancelled] == [
        (Side.HOME, 1, decided_at),
        (Side.HOME, 2, decided_at),
    ]
    waiting = [n for n in nudges if n.cancelled_at is None]
    assert plan_of(waiting) == [
        (REMINDER, Side.HOST, 1, HOST, HOST_FIRST),
        (REMINDER, Side.HOST, 2, HOST, HOST_SECOND),
        (ESCALATE, None, 1, None, ESCALATION),
    ]


async def test_a_reminder_already_sent_stays_sent_when_the_side_decides(
    sessions: Sessions,
) -> None:
    record = await new_request(sessions)
    (first,) = await claim_due(sessions, now=HOME_FIRST, policy=POLICY)
    assert await mark_sent(sessions, first, now=HOME_FIRST, policy=POLICY) is not None

    await decide_side(sessions, record.id, Side.HOME, Outcome.APPROVED, HOME_FIRST + SECOND)

    sent = await nudge(sessions, first.nudge_id)
    assert (sent.sent_at, sent.cancelled_at) == (HOME_FIRST, None)
    home = await rows(sessions, Nudge, Nudge.side == Side.HOME, Nudge.sequence == 2)
    assert [n.cancelled_at for n in home] == [HOME_FIRST + SECOND]


async def test_a_block_cancels_every_decision_nudge(sessions: Sessions) -> None:
    record = await new_request(sessions)
    other = await new_request(sessions, "other")
    blocked_at = NOW + timedelta(days=1)

    await decide_side(sessions, record.id, Side.HOST, Outcome.BLOCKED, blocked_at)

    nudges = await rows(sessions, Nudge, Nudge.secondment_id == record.id)
    assert len(nudges) == 5
    assert {n.cancelled_at for n in nudges} == {blocked_at}
    others = await rows(sessions, Nudge, Nudge.secondment_id == other.id)
    assert {n.cancelled_at for n in others} == {None}


# --- claim_due -----------------------------------------------------------------------------------


async def test_nothing_is_claimed_before_it_is_due(sessions: Sessions) -> None:
    await new_request(sessions)

    assert await claim_due(sessions, now=HOME_FIRST - SECOND, policy=POLICY) == []
    assert {n.claimed_until for n in await rows(sessions, Nudge)} == {None}


async def test_claim_returns_only_the_nudges_due_now(sessions: Sessions) -> None:
    first = await new_request(sessions, "first")
    second = await new_request(sessions, "second")

    due = await claim_due(sessions, now=HOME_FIRST, policy=POLICY)

    assert summary(due) == [(REMINDER, Side.HOME, 1, HOME)] * 2
    assert sorted(d.record.id for d in due) == [first.id, second.id]
    assert {d.attempts for d in due} == {0}
    assert all(d.record.status is Status.PENDING for d in due)
    claimed = await rows(sessions, Nudge, Nudge.claimed_until.is_not(None))
    assert sorted(n.id for n in claimed) == sorted(d.nudge_id for d in due)
    assert {n.claimed_until for n in claimed} == {HOME_FIRST + LEASE}


async def test_while_the_bot_runs_each_step_of_the_chain_goes_on_its_day(
    sessions: Sessions,
) -> None:
    await new_request(sessions)

    await reminded_on_time(sessions)
    assert await claim_due(sessions, now=ESCALATION - SECOND, policy=POLICY) == []
    due = await claim_due(sessions, now=ESCALATION, policy=POLICY)

    assert summary(due) == [(ESCALATE, None, 1, None)]


async def test_back_after_downtime_the_first_reminders_go_oldest_first_and_the_rest_waits(
    sessions: Sessions,
) -> None:
    """Down from before the first reminder until HR's escalation was due: each manager gets
    their first reminder now, and the rest of the chain starts again from today."""
    await new_request(sessions)

    due = await claim_due(sessions, now=ESCALATION, policy=POLICY)

    assert summary(due) == [(REMINDER, Side.HOME, 1, HOME), (REMINDER, Side.HOST, 1, HOST)]
    held = await rows(sessions, Nudge, Nudge.claim_token.is_(None), Nudge.sent_at.is_(None))
    # Held until three working days after today where each manager is, and HR four (the
    # plan's gaps), in Brisbane: Friday 15 January in London and Los Angeles, Tuesday 19 in
    # Brisbane. Each keeps its planned time, so a re-plan finds it as it was.
    tick = timedelta(microseconds=1)
    assert plan_of(held) == [
        (REMINDER, Side.HOME, 2, HOME, HOME_SECOND),
        (REMINDER, Side.HOST, 2, HOST, HOST_SECOND),
        (ESCALATE, None, 1, None, ESCALATION),
    ]
    assert [n.claimed_until for n in sorted(held, key=lambda n: n.due_at)] == [
        datetime(2027, 1, 15, 9, tzinfo=UTC) - tick,
        datetime(2027, 1, 15, 17, tzinfo=UTC) - tick,
        datetime(2027, 1, 18, 23, tzinfo=UTC) - tick,
    ]
    for reminder in due:
        await mark_sent(sessions, reminder, now=ESCALATION + SECOND, policy=POLICY)

    second_home = datetime(2027, 1, 15, 9, tzinfo=UTC)
    assert await claim_due(sessions, now=second_home - SECOND, policy=POLICY) == []
    (home,) = await claim_due(sessions, now=second_home, policy=POLICY)
    await mark_sent(sessions, home, now=second_home, policy=POLICY)
    second_host = datetime(2027, 1, 15, 17, tzinfo=UTC)
    (host,) = await claim_due(sessions, now=second_host, policy=POLICY)
    await mark_sent(sessions, host, now=second_host, policy=POLICY)
    assert summary([home, host]) == [(REMINDER, Side.HOME, 2, HOME), (REMINDER, Side.HOST, 2, HOST)]
    hr = datetime(2027, 1, 18, 23, tzinfo=UTC)
    assert await claim_due(sessions, now=hr - SECOND, policy=POLICY) == []
    assert summary(await claim_due(sessions, now=hr, policy=POLICY)) == [(ESCALATE, None, 1, None)]


async def test_a_claim_respects_its_limit(sessions: Sessions, engine: AsyncEngine) -> None:
    for key in ("first", "second"):
        await new_request(sessions, key)

    first = await claim_due(sessions, now=HOST_FIRST, policy=POLICY, limit=3)
    rest = await claim_due(sessions, now=HOST_FIRST, policy=POLICY, limit=100)

    assert len(first) == 3
    assert len(rest) == 1
    assert not {d.nudge_id for d in first} & {d.nudge_id for d in rest}


async def test_a_claimed_nudge_is_not_claimed_again_until_its_lease_runs_out(
    sessions: Sessions,
) -> None:
    await new_request(sessions)
    (claimed,) = await claim_due(sessions, now=HOME_FIRST, policy=POLICY)

    assert await claim_due(sessions, now=HOME_FIRST, policy=POLICY) == []
    assert await claim_due(sessions, now=HOME_FIRST + LEASE - SECOND, policy=POLICY) == []
    # The sweeper that claimed it never marked it: once the lease is over it is claimed again.
    (again,) = await claim_due(sessions, now=HOME_FIRST + LEASE + SECOND, policy=POLICY)
    assert again.nudge_id == claimed.nudge_id
    row = await nudge(sessions, claimed.nudge_id)
    assert row.claimed_until == HOME_FIRST + 2 * LEASE + SECOND


async def test_a_sent_nudge_is_never_claimed_again(sessions: Sessions) -> None:
    await new_request(sessions)
    (claimed,) = await claim_due(sessions, now=HOME_FIRST, policy=POLICY)
    await mark_sent(sessions, claimed, now=HOME_FIRST + SECOND, policy=POLICY)

    later = await claim_due(sessions, now=HOME_FIRST + 2 * LEASE, policy=POLICY)

    assert later == []


async def test_a_reminder_for_a_side_that_decided_meanwhile_is_cancelled_at_claim(
    sessions: Sessions,
) -> None:
    record = await new_request(sessions)
    # The home side decided, but the nudges were not re-planned (say, a bug or an older release).
    await set_row(
        sessions,
        record.id,
        home_state=SideState.APPROVED,
        home_decided_by=HOME,
        home_decided_at=NOW,
    )

    due = await claim_due(sessions, now=HOST_FIRST, policy=POLICY)

    assert summary(due) == [(REMINDER, Side.HOST, 1, HOST)]
    (stale,) = await rows(sessions, Nudge, Nudge.side == Side.HOME, Nudge.sequence == 1)
    assert (stale.cancelled_at, stale.claimed_until, stale.sent_at) == (HOST_FIRST, None, None)
    assert stale.last_error == "no longer due"
    # Once its lease is over the host's reminder is claimed again; the cancelled one never is.
    later = await claim_due(sessions, now=HOST_FIRST + 2 * LEASE, policy=POLICY)
    assert summary(later) == [(REMINDER, Side.HOST, 1, HOST)]


@pytest.mark.parametrize(
    ("change", "still_due"),
    [
        ({"status": Status.WITHDRAWN}, []),
        ({"status": Status.BLOCKED, "home_state": SideState.BLOCKED}, []),
        ({"round": 2}, []),  # a new round: this wait is over
        ({"home_delegate_id": DELEGATE}, [(REMINDER, Side.HOST, 1, HOST)]),
    ],
    ids=["withdrawn", "blocked", "new-round", "delegated"],
)
async def test_nudges_the_request_no_longer_calls_for_are_cancelled_at_claim(
    sessions: Sessions, change: dict[str, Any], still_due: list[tuple[Any, ...]]
) -> None:
    record = await new_request(sessions)
    await set_row(sessions, record.id, **change)

    due = await claim_due(sessions, now=HOST_FIRST, policy=POLICY)

    assert summary(due) == still_due
    cancelled = await rows(sessions, Nudge, Nudge.cancelled_at.is_not(None))
    assert len(cancelled) == 2 - len(still_due)
    assert {n.last_error for n in cancelled} == {"no longer due"}


async def test_an_escalation_is_still_due_when_one_side_has_decided(sessions: Sessions) -> None:
    record = await new_request(sessions)
    await decide_side(sessions, record.id, Side.HOME, Outcome.APPROVED, NOW)

    await reminded_on_time(sessions)
    due = await claim_due(sessions, now=ESCALATION, policy=POLICY)

    assert summary(due) == [(ESCALATE, None, 1, None)]
    sent = await rows(sessions, Nudge, Nudge.sent_at.is_not(None))
    assert sorted((n.recipient_id, n.sequence) for n in sent) == [(HOST, 1), (HOST, 2)]


# --- mark_sent and mark_failed -------------------------------------------------------------------


async def test_mark_sent_marks_a_nudge_once(sessions: Sessions) -> None:
    record = await new_request(sessions)
    (claimed,) = await claim_due(sessions, now=HOME_FIRST, policy=POLICY)
    sent_at = HOME_FIRST + SECOND

    first = await mark_sent(sessions, claimed, now=sent_at, policy=POLICY)
    second = await mark_sent(sessions, claimed, now=sent_at + SECOND, policy=POLICY)

    assert first is not None
    assert (first.id, first.status) == (record.id, Status.PENDING)
    assert second is None  # already marked
    row = await nudge(sessions, claimed.nudge_id)
    assert (row.sent_at, row.claimed_until, row.attempts) == (sent_at, None, 1)
    (event,) = await rows(sessions, AuditEvent, AuditEvent.action == "nudge_sent_decision_reminder")
    assert (event.secondment_id, event.actor_id, event.at) == (record.id, "bot", sent_at)
    assert (event.detail["recipient_id"], event.detail["sequence"]) == (HOME, 1)
    assert await rows(sessions, Escalation) == []


async def test_sending_the_escalation_records_a_no_decision_escalation(
    sessions: Sessions,
) -> None:
    record = await new_request(sessions)
    await reminded_on_time(sessions)
    due = await claim_due(sessions, now=ESCALATION, policy=POLICY)
    (escalation_due,) = [d for d in due if d.kind is ESCALATE]

    marked = await mark_sent(sessions, escalation_due, now=ESCALATION, policy=POLICY)
    again = await mark_sent(sessions, escalation_due, now=ESCALATION + SECOND, policy=POLICY)

    assert marked is not None
    assert [(e.kind, e.raised_by, e.created_at) for e in marked.open_escalations] == [
        (EscalationKind.NO_DECISION, None, ESCALATION)
    ]
    assert again is None

    (escalation,) = await rows(sessions, Escalation)
    assert (escalation.secondment_id, escalation.kind, escalation.raised_by) == (
        record.id,
        EscalationKind.NO_DECISION,
        None,
    )
    assert (escalation.round, escalation.terms_version, escalation.created_at) == (
        1,
        1,
        ESCALATION,
    )
    assert escalation.resolved_at is None
    shown = await get_for_user(
        sessions, secondment_id=record.id, actor=as_actor(EMPLOYEE, team=TEAM, policy=POLICY)
    )
    assert [(e.kind, e.raised_by) for e in shown.open_escalations] == [
        (EscalationKind.NO_DECISION, None)
    ]
    events = await rows(sessions, AuditEvent, AuditEvent.action == "escalated_no_decision")
    assert [e.actor_id for e in events] == ["bot"]


async def test_a_decision_after_the_escalation_closes_it_only_when_the_wait_is_over(
    sessions: Sessions,
) -> None:
    record = await new_request(sessions)
    await reminded_on_time(sessions)
    due = await claim_due(sessions, now=ESCALATION, policy=POLICY)
    await mark_sent(
        sessions, next(d for d in due if d.kind is ESCALATE), now=ESCALATION, policy=POLICY
    )

    await decide_side(sessions, record.id, Side.HOME, Outcome.APPROVED, ESCALATION + SECOND)
    assert [e.resolved_at for e in await rows(sessions, Escalation)] == [None]
    await decide_side(sessions, record.id, Side.HOST, Outcome.APPROVED, ESCALATION + 2 * SECOND)

    assert [e.resolved_at for e in await rows(sessions, Escalation)] == [ESCALATION + 2 * SECOND]


async def test_an_escalation_sent_as_its_round_ends_is_not_left_open(sessions: Sessions) -> None:
    record = await new_request(sessions)
    await reminded_on_time(sessions)
    due = await claim_due(sessions, now=ESCALATION, policy=POLICY)
    escalation_due = next(d for d in due if d.kind is ESCALATE)
    # While the message to HR is on its way, the employee changes the terms: a new round.
    await change_terms(
        sessions,
        secondment_id=record.id,
        seen_version=1,
        terms=replace(TERMS, time_commitment=80),
        note=None,
        announce=quiet,
        actor=as_actor(EMPLOYEE, team=TEAM, now=ESCALATION + SECOND, policy=POLICY),
    )

    marked = await mark_sent(sessions, escalation_due, now=ESCALATION + 2 * SECOND, policy=POLICY)

    assert marked is None or marked.open_escalations == ()
    assert await rows(sessions, Escalation, Escalation.resolved_at.is_(None)) == []


async def test_a_failure_with_a_retry_time_is_claimed_again_then(sessions: Sessions) -> None:
    await new_request(sessions)
    (claimed,) = await claim_due(sessions, now=HOME_FIRST, policy=POLICY)
    retry_at = HOME_FIRST + timedelta(seconds=30)

    await mark_failed(sessions, claimed, error="ratelimited", now=HOME_FIRST, retry_at=retry_at)

    row = await nudge(sessions, claimed.nudge_id)
    assert (row.due_at, row.attempts, row.last_error) == (retry_at, 1, "ratelimited")
    assert (row.claimed_until, row.cancelled_at, row.sent_at) == (None, None, None)
    assert await claim_due(sessions, now=retry_at - SECOND, policy=POLICY) == []
    (again,) = await claim_due(sessions, now=retry_at, policy=POLICY)
    assert (again.nudge_id, again.attempts) == (claimed.nudge_id, 1)
    assert await rows(sessions, AuditEvent, AuditEvent.action == "nudge_undeliverable") == []


async def test_a_failure_without_a_retry_gives_up_and_says_so(sessions: Sessions) -> None:
    record = await new_request(sessions)
    (claimed,) = await claim_due(sessions, now=HOME_FIRST, policy=POLICY)
    failed_at = HOME_FIRST + SECOND

    await mark_failed(
        sessions, claimed, error="user_disabled " + "x" * 300, now=failed_at, retry_at=None
    )

    row = await nudge(sessions, claimed.nudge_id)
    assert (row.cancelled_at, row.claimed_until, row.sent_at, row.attempts) == (
        failed_at,
        None,
        None,
        1,
    )
    assert row.last_error is not None
    assert row.last_error.startswith("user_disabled")
    assert len(row.last_error) == 200
    (event,) = await rows(sessions, AuditEvent, AuditEvent.action == "nudge_undeliverable")
    assert (event.secondment_id, event.actor_id, event.at) == (record.id, "bot", failed_at)
    assert event.detail["recipient_id"] == HOME
    assert event.detail["error"].startswith("user_disabled")
    # Past its lease and before anything else falls due, nothing is claimed: it was given up.
    assert await claim_due(sessions, now=HOME_FIRST + 2 * LEASE, policy=POLICY) == []


async def test_a_failure_reported_after_the_nudge_was_sent_changes_nothing(
    sessions: Sessions,
) -> None:
    await new_request(sessions)
    (claimed,) = await claim_due(sessions, now=HOME_FIRST, policy=POLICY)
    await mark_sent(sessions, claimed, now=HOME_FIRST, policy=POLICY)

    await mark_failed(sessions, claimed, error="timeout", now=HOME_FIRST, retry_at=HOME_SECOND)

    row = await nudge(sessions, claimed.nudge_id)
    assert (row.sent_at, row.due_at, row.cancelled_at, row.last_error) == (
        HOME_FIRST,
        HOME_FIRST,
        None,
        None,
    )


async def test_giving_up_on_a_nudge_already_sent_records_nothing(sessions: Sessions) -> None:
    await new_request(sessions)
    (claimed,) = await claim_due(sessions, now=HOME_FIRST, policy=POLICY)
    # The lease ran out, a second sweeper claimed the nudge again and delivered it ...
    (again,) = await claim_due(sessions, now=HOME_FIRST + LEASE + SECOND, policy=POLICY)
    await mark_sent(sessions, again, now=HOME_FIRST + LEASE + SECOND, policy=POLICY)

    # ... and only then does the first sweeper report that its own attempt failed for good.
    await mark_failed(
        sessions, claimed, error="user_disabled", now=HOME_FIRST + LEASE + 2 * SECOND, retry_at=None
    )

    row = await nudge(sessions, claimed.nudge_id)
    assert (row.sent_at, row.cancelled_at) == (HOME_FIRST + LEASE + SECOND, None)
    assert await rows(sessions, AuditEvent, AuditEvent.action == "nudge_undeliverable") == []


async def test_a_nudge_given_up_stays_given_up_for_its_round(sessions: Sessions) -> None:
    record = await new_request(sessions)
    (claimed,) = await claim_due(sessions, now=HOME_FIRST, policy=POLICY)
    await mark_failed(sessions, claimed, error="user_disabled", now=HOME_FIRST, retry_at=None)

    # Any later change in the same round re-plans: here the host side approves.
    await decide_side(sessions, record.id, Side.HOST, Outcome.APPROVED, HOME_FIRST + SECOND)

    home_first = await rows(sessions, Nudge, Nudge.side == Side.HOME, Nudge.sequence == 1)
    assert [n.id for n in home_first] == [claimed.nudge_id]
    assert await claim_due(sessions, now=HOME_FIRST + 2 * SECOND, policy=POLICY) == []


# --- two sweepers at once (PostgreSQL) -----------------------------------------------------------

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


async def _sweep_until_empty(url: str, now: datetime) -> list[int]:
    """One sweeper process: its own engine, claiming small batches until nothing is left."""
    engine = make_engine(url)
    sessions = make_sessions(engine)
    claimed: list[int] = []
    try:
        while batch := await claim_due(sessions, now=now, policy=POLICY, limit=7):
            claimed += [d.nudge_id for d in batch]
    finally:
        await engine.dispose()
    return claimed


@pytest.mark.skipif(
    POSTGRES_URL is None,
    reason="FOR UPDATE SKIP LOCKED between processes needs PostgreSQL: set TEST_DATABASE_URL",
)
async def test_concurrent_sweepers_claim_every_nudge_exactly_once(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    try:
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        sessions = make_sessions(engine)
        for n in range(40):  # five nudges each
            await new_request(sessions, f"sweep-{n}")
        seeded = {n.id for n in await rows(sessions, Nudge)}
        assert len(seeded) == 200
        after_all_due = ESCALATION + SECOND

        per_sweeper = await asyncio.gather(
            *(_sweep_until_empty(postgres_url, after_all_due) for _ in range(5))
        )

        claimed = [nudge_id for batch in per_sweeper for nudge_id in batch]
        # Back after all five were due: each manager's first reminder goes, once, and the rest
        # of each chain is held (by no sweep) until its re-based day.
        first = {
            n.id for n in await rows(sessions, Nudge, Nudge.kind == REMINDER, Nudge.sequence == 1)
        }
        assert len(claimed) == len(set(claimed)) == len(first) == 80
        assert set(claimed) == first
        assert await claim_due(sessions, now=after_all_due, policy=POLICY) == []
        claims = {(n.id in first, n.claim_token is None) for n in await rows(sessions, Nudge)}
        assert claims == {(True, False), (False, True)}
        leases = {n.claimed_until for n in await rows(sessions, Nudge, Nudge.id.in_(first))}
        assert leases == {after_all_due + LEASE}
    finally:
        await engine.dispose()
