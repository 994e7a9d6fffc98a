"""Claims on what a thread says: never one message without those before it, and never one that
another sweep's claim has meanwhile taken over.

A thread's messages go out in the order their changes were made. A message retried later than a
newer one behind it must still go first, whatever the claim's limit; a sweep slowed past its
lease must not undo the claim of the sweep that took its messages over.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.db import Sessions, make_engine, make_sessions
from bot.domain.decisions import DecisionRef
from bot.domain.kinds import Destination, NudgeKind
from bot.domain.nudge_catalogue import ROUND_KINDS
from bot.domain.people import Person
from bot.domain.policy import Policy
from bot.domain.states import Side
from bot.models import Nudge, Secondment
from bot.services.changes import change_terms
from bot.services.delegation import delegate_checked, delegate_once_checked
from bot.services.delivered import mark_failed
from bot.services.loading import lock_secondment
from bot.services.outbox import LEASE, quiet
from bot.services.renewals import renew_and_mark
from bot.services.requests import NewRequest, create_request
from bot.services.sweep import Due, claim_due
from tests.support.actors import as_actor
from tests.support.outbox import thread_opened
from tests.support.rows import rows
from tests.support.samples import TERMS

POLICY = Policy()
NOW = datetime(2027, 1, 4, 10, tzinfo=UTC)  # a Monday
SECOND = timedelta(seconds=1)
PEOPLE = (Person("UEMP"), Person("UHOME"), Person("UHOST"))


@pytest.fixture
def sessions(engine: AsyncEngine) -> Sessions:
    return make_sessions(engine)


async def opened_request(sessions: Sessions, key: str = "req") -> int:
    """A request whose thread is open, with none of its timed nudges due before a week is out."""
    request = NewRequest(key, "T1", "UEMP", "UHOME", "UHOST", TERMS, people=PEOPLE)
    record = (await create_request(sessions, request, policy=POLICY, now=NOW)).record
    await thread_opened(sessions, record.id)
    return record.id


async def reply(sessions: Sessions, secondment_id: int, due_at: datetime, words: str) -> int:
    """A reply in the thread, as a change writes it, due at `due_at`; returns its id."""
    async with sessions.begin() as session:
        return await write_reply(session, secondment_id, due_at, words)


async def write_reply(
    session: AsyncSession, secondment_id: int, due_at: datetime, words: str
) -> int:
    """`reply`, in the caller's transaction."""
    written = await session.execute(
        insert(Nudge)
        .values(
            secondment_id=secondment_id,
            kind=NudgeKind.MESSAGE,
            round=1,
            sequence=0,
            due_at=due_at,
            attempts=0,
            created_at=NOW,
            destination=Destination.THREAD,
            payload={"text": words},
        )
        .returning(Nudge.id)
    )
    return int(written.scalar_one())


async def test_a_reply_retried_later_than_the_one_behind_it_still_goes_first(
    sessions: Sessions,
) -> None:
    """An outage put the first reply off to its retry; the second was written meanwhile, due
    sooner. However small the claim, the second is never claimed without the first."""
    secondment = await opened_request(sessions)
    retry_at = NOW + 60 * SECOND
    first = await reply(sessions, secondment, retry_at, "approved")
    second = await reply(sessions, secondment, NOW + SECOND, "a note")

    (claimed,) = await claim_due(sessions, now=retry_at, policy=POLICY, limit=1)
    assert claimed.nudge_id == first
    # Behind a first reply on its way, the second waits; once the first is sent, it goes.
    assert await claim_due(sessions, now=retry_at, policy=POLICY) == []
    await renew_and_mark(sessions, [], [claimed], now=retry_at, sent_at=retry_at)
    (then,) = await claim_due(sessions, now=retry_at, policy=POLICY, limit=1)
    assert then.nudge_id == second


async def test_many_threads_each_behind_a_retry_all_make_progress_with_a_small_claim(
    sessions: Sessions,
) -> None:
    """After an outage, every thread's first reply waits for its retry behind a newer one: a
    claim of two still takes the first replies, not the newer ones it could not send."""
    claims = []
    for n in range(3):
        secondment = await opened_request(sessions, key=f"req{n}")
        first = await reply(sessions, secondment, NOW + 60 * SECOND, "approved")
        claims.append({first, await reply(sessions, secondment, NOW + SECOND, "a note")})

    claimed = await claim_due(sessions, now=NOW + 60 * SECOND, policy=POLICY, limit=2)

    # The first thread's two replies: the newer one only with the one before it.
    assert {d.nudge_id for d in claimed} == claims[0]


POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.mark.skipif(
    POSTGRES_URL is None,
    reason="a claim locked but not yet committed needs PostgreSQL: set TEST_DATABASE_URL",
)
async def test_a_reply_is_not_claimed_while_another_sweep_is_claiming_the_one_before_it(
    postgres_url: str,
) -> None:
    engine = make_engine(postgres_url)
    try:
        sessions = make_sessions(engine)
        # The database is shared with the other tests of this worker: only these rows count.
        secondment = await opened_request(sessions, key=uuid4().hex)
        first = await reply(sessions, secondment, NOW, "approved")
        second = await reply(sessions, secondment, NOW, "a note")

        async def claim() -> list[Due]:
            return await claim_due(sessions, now=NOW, policy=POLICY, secondment_id=secondment)

        # Another sweep has picked the first (locked, FOR UPDATE) and not yet committed its claim.
        async with engine.connect() as other:
            transaction = await other.begin()
            await other.execute(
                select(Nudge.id).where(Nudge.id == first).with_for_update(skip_locked=True)
            )

            assert await claim() == []

            await transaction.rollback()
        claimed = await claim()
        assert sorted(d.nudge_id for d in claimed) == [first, second]
    finally:
        await engine.dispose()


@pytest.mark.skipif(
    POSTGRES_URL is None,
    reason="two transactions at once need PostgreSQL: set TEST_DATABASE_URL",
)
async def test_a_reply_written_behind_one_being_marked_sent_is_found_by_the_marks(
    postgres_url: str,
) -> None:
    """A change writes its thread reply behind one still being sent, and leaves it free for
    that delivery to claim; the delivery's marks, made while the change is still open, must
    find it once the change commits, or the reply waits for the sweep."""
    engine = make_engine(postgres_url)
    try:
        sessions = make_sessions(engine)
        secondment = await opened_request(sessions, key=uuid4().hex)
        await reply(sessions, secondment, NOW, "approved by the home manager")
        (sending,) = await claim_due(sessions, now=NOW, policy=POLICY, secondment_id=secondment)

        async with sessions.begin() as change:
            # The change holds the secondment and sees the first reply not yet sent.
            await lock_secondment(change, secondment)
            marks = asyncio.create_task(
                renew_and_mark(sessions, (), [sending], now=NOW, sent_at=NOW, look_behind=True)
            )
            await until_done_or_waiting_on_a_lock(engine, marks)
            await write_reply(change, secondment, NOW, "approved by both")
        renewed = await marks

        assert renewed.marked == {sending.nudge_id}
        assert renewed.waiting == {secondment}
    finally:
        await engine.dispose()


async def until_done_or_waiting_on_a_lock(engine: AsyncEngine, task: asyncio.Task[Any]) -> None:
    """Until `task` has finished, or some session of the database waits on a lock; or, at
    most, 10 s. In the full suite the marks have been seen to take longer than that to get a
    connection at all; the test then goes on, and the marks, once connected, find the reply
    committed. (Without the marks' wait, they finish at once, before the reply is written.)"""
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    # A deadline, not a count of looks: on a loaded machine each look can take a while.
    deadline = asyncio.get_running_loop().time() + 10
    async with engine.connect() as watcher:
        while asyncio.get_running_loop().time() < deadline:
            if task.done() or (await watcher.scalar(waiting)):
                return
            await asyncio.sleep(0.01)


async def test_a_failure_reported_after_another_sweep_took_the_claim_leaves_its_claim(
    sessions: Sessions,
) -> None:
    """A sweep slowed past its lease reports its failure after another sweep has claimed the
    message again: the other's claim stands, and the message is not freed for a third."""
    secondment = await opened_request(sessions)
    await reply(sessions, secondment, NOW, "approved")
    (slow,) = await claim_due(sessions, now=NOW, policy=POLICY)
    later = NOW + LEASE + SECOND
    (other,) = await claim_due(sessions, now=later, policy=POLICY)

    await mark_failed(sessions, slow, error="ratelimited", now=later, retry_at=later + SECOND)
    await mark_failed(sessions, slow, error="user_disabled", now=later, retry_at=None)

    (row,) = await rows(sessions, Nudge, Nudge.id == other.nudge_id)
    assert (row.claim_token, row.claimed_until) == (other.claim_token, later + LEASE)
    assert (row.attempts, row.last_error, row.cancelled_at) == (0, None, None)
    assert await claim_due(sessions, now=later + SECOND, policy=POLICY) == []


async def test_a_failure_of_a_message_cancelled_meanwhile_is_not_given_up_again(
    sessions: Sessions,
) -> None:
    secondment = await opened_request(sessions)
    await reply(sessions, secondment, NOW, "approved")
    (due,) = await claim_due(sessions, now=NOW, policy=POLICY)
    async with sessions.begin() as session:
        await session.execute(
            update(Nudge).where(Nudge.id == due.nudge_id).values(cancelled_at=NOW)
        )

    await mark_failed(sessions, due, error="user_disabled", now=NOW + SECOND, retry_at=None)

    (row,) = await rows(sessions, Nudge, Nudge.id == due.nudge_id)
    assert (row.cancelled_at, row.last_error) == (NOW, None)


# --- what waits for the approval thread -----------------------------------------------------------

MONTH_LATER = NOW + timedelta(days=30)  # every reminder, and the escalation, is due by then


async def unopened_request(sessions: Sessions) -> int:
    """A request whose approval thread the outbox has yet to open."""
    request = NewRequest("req", "T1", "UEMP", "UHOME", "UHOST", TERMS, people=PEOPLE)
    return (await create_request(sessions, request, policy=POLICY, now=NOW)).record.id


async def test_reminders_wait_for_the_thread_that_shows_the_managers_the_request(
    sessions: Sessions,
) -> None:
    """Slack was down for weeks: the thread is still to open when the reminders fall due. A
    reminder of a request no manager has seen would be the first they hear of it, so it waits."""
    secondment = await unopened_request(sessions)

    (opening,) = await claim_due(sessions, now=MONTH_LATER, policy=POLICY)
    assert opening.kind is NudgeKind.THREAD_OPEN
    await renew_and_mark(sessions, [], [opening], now=MONTH_LATER, sent_at=MONTH_LATER)
    await thread_opened(sessions, secondment)

    after = await claim_due(sessions, now=MONTH_LATER, policy=POLICY)
    # Each manager's first reminder; the rest of the chain starts again from today
    # (bot/domain/reminder_catch_up.py).
    assert sorted((d.kind, d.sequence, d.recipient_id) for d in after) == [
        (NudgeKind.DECISION_REMINDER, 1, "UHOME"),
        (NudgeKind.DECISION_REMINDER, 1, "UHOST"),
    ]


async def test_a_thread_given_up_takes_the_reminders_and_escalation_with_it(
    sessions: Sessions,
) -> None:
    """A thread Slack will never open (a manager's account is deactivated): the request was
    never shared, and nobody is reminded of it."""
    secondment = await unopened_request(sessions)
    (opening,) = await claim_due(sessions, now=MONTH_LATER, policy=POLICY)

    await mark_failed(sessions, opening, error="user_disabled", now=MONTH_LATER, retry_at=None)

    assert await claim_due(sessions, now=MONTH_LATER, policy=POLICY) == []
    waiting = await rows(
        sessions, Nudge, Nudge.secondment_id == secondment, Nudge.kind.in_(ROUND_KINDS)
    )
    assert len(waiting) == 5
    assert {(n.cancelled_at, n.sent_at, n.last_error) for n in waiting} == {
        (MONTH_LATER, None, "no longer due")
    }


async def test_reminders_planned_again_for_a_request_never_shown_are_cancelled_too(
    sessions: Sessions,
) -> None:
    """A later change re-plans the round's reminders (here new terms, a new round): the request
    was still never shown to the managers, so none of them goes either."""
    secondment = await unopened_request(sessions)
    (opening,) = await claim_due(sessions, now=NOW, policy=POLICY)
    await mark_failed(sessions, opening, error="user_disabled", now=NOW, retry_at=None)
    await change_terms(
        sessions,
        secondment_id=secondment,
        seen_version=1,
        terms=replace(TERMS, role_title="Senior analyst"),
        note=None,
        announce=quiet,
        actor=as_actor("UEMP", team="T1", now=NOW + SECOND, policy=POLICY),
    )
    planned = await rows(
        sessions,
        Nudge,
        Nudge.secondment_id == secondment,
        Nudge.kind.in_(ROUND_KINDS),
        Nudge.cancelled_at.is_(None),
    )
    assert planned  # planned for the new round ...

    assert await claim_due(sessions, now=MONTH_LATER, policy=POLICY) == []  # ... and never sent


async def test_a_request_from_before_the_outbox_whose_thread_failed_is_still_reminded_of(
    sessions: Sessions,
) -> None:
    """Its thread failed with no outbox row to say so: the reminder, with its buttons, is the
    only way its managers can decide, so it goes."""
    secondment = await unopened_request(sessions)
    async with sessions.begin() as session:
        await session.execute(
            delete(Nudge).where(
                Nudge.secondment_id == secondment, Nudge.kind == NudgeKind.THREAD_OPEN
            )
        )

    claimed = await claim_due(sessions, now=MONTH_LATER, policy=POLICY)

    assert sorted((d.kind, d.sequence, d.recipient_id) for d in claimed) == [
        (NudgeKind.DECISION_REMINDER, 1, "UHOME"),
        (NudgeKind.DECISION_REMINDER, 1, "UHOST"),
    ]


# --- a delegation checked after the answer ------------------------------------------------------


async def test_a_delegate_check_whose_claim_another_sweep_took_settles_nothing(
    sessions: Sessions,
) -> None:
    secondment = await opened_request(sessions)
    ref = DecisionRef(secondment, Side.HOME, 1)
    await delegate_once_checked(
        sessions,
        ref=ref,
        delegate_id="UDEL",
        actor=as_actor("UHOME", team="T1", now=NOW, policy=POLICY),
    )
    (slow,) = await claim_due(sessions, now=NOW, policy=POLICY, secondment_id=secondment)
    later = NOW + LEASE + SECOND
    (other,) = await claim_due(sessions, now=later, policy=POLICY, secondment_id=secondment)

    def settle(check: Due) -> Coroutine[Any, Any, bool]:
        return delegate_checked(
            sessions,
            check=(check.nudge_id, check.claim_token),
            ref=ref,
            delegate_id="UDEL",
            person=Person("UDEL"),
            announce=quiet,
            refused=quiet,
            actor=as_actor("UHOME", team="T1", now=later, policy=POLICY),
        )

    assert await settle(slow) is False
    (row,) = await rows(sessions, Secondment, Secondment.id == secondment)
    assert row.home_delegate_id is None
    assert await settle(other) is True
    (row,) = await rows(sessions, Secondment, Secondment.id == secondment)
    assert row.home_delegate_id == "UDEL"
    assert await settle(other) is False  # once only
