"""The sweep lag (bot.services.claim_order.backlog): how long the oldest due, unsent nudge has been
due at an explicit `now`, as the metrics report it at the start of each sweep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import Sessions, make_sessions
from bot.domain.people import Person
from bot.domain.policy import Policy
from bot.services.claim_order import backlog
from bot.services.delivered import mark_failed, mark_sent
from bot.services.requests import NewRequest, create_request
from bot.services.sweep import claim_due
from tests.support.outbox import thread_opened
from tests.support.samples import TERMS

EMPLOYEE, HOME, HOST = "UEMP", "UHOME", "UHOST"
NOW = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)  # Monday
POLICY = Policy()
# The first reminders: three working days on, at 09:00 in London and in Los Angeles.
HOME_FIRST = datetime(2027, 1, 7, 9, tzinfo=UTC)
HOST_FIRST = datetime(2027, 1, 7, 17, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


async def sweep_lag(sessions: Sessions, *, now: datetime) -> timedelta:
    lag, depth = await backlog(sessions, now=now)
    assert depth > 0 or lag == timedelta(0)  # a lag is the age of something waiting
    return lag


@pytest.fixture
async def sessions(engine: AsyncEngine) -> Sessions:
    sessions = make_sessions(engine)
    people = (Person(HOME, tz="Europe/London"), Person(HOST, tz="America/Los_Angeles"))
    request = NewRequest("req", "T1", EMPLOYEE, HOME, HOST, TERMS, people=people)
    created = await create_request(sessions, request, policy=POLICY, now=NOW)
    await thread_opened(sessions, created.record.id)
    return sessions


async def test_the_lag_is_zero_until_a_nudge_is_due_then_grows_with_the_clock(
    sessions: Sessions,
) -> None:
    assert await sweep_lag(sessions, now=HOME_FIRST - MINUTE) == timedelta(0)
    assert await sweep_lag(sessions, now=HOME_FIRST) == timedelta(0)
    assert await sweep_lag(sessions, now=HOME_FIRST + 90 * MINUTE) == 90 * MINUTE
    # Still the oldest that counts once the next one is due too; the depth counts both.
    assert await sweep_lag(sessions, now=HOST_FIRST + MINUTE) == 8 * 60 * MINUTE + MINUTE
    assert await backlog(sessions, now=HOST_FIRST + MINUTE) == (8 * 60 * MINUTE + MINUTE, 2)
    assert await backlog(sessions, now=HOME_FIRST - MINUTE) == (timedelta(0), 0)


async def test_a_claimed_nudge_counts_until_sent_and_a_retry_from_its_retry_time(
    sessions: Sessions,
) -> None:
    (claimed,) = await claim_due(sessions, now=HOME_FIRST, policy=POLICY)
    assert await sweep_lag(sessions, now=HOME_FIRST + MINUTE) == MINUTE  # held, not delivered

    retry_at = HOME_FIRST + 10 * MINUTE
    await mark_failed(sessions, claimed, error="fatal_error", now=HOME_FIRST, retry_at=retry_at)
    assert await sweep_lag(sessions, now=HOME_FIRST + 5 * MINUTE) == timedelta(0)
    assert await sweep_lag(sessions, now=retry_at + 2 * MINUTE) == 2 * MINUTE

    (retried,) = await claim_due(sessions, now=retry_at, policy=POLICY)
    assert await mark_sent(sessions, retried, now=retry_at, policy=POLICY) is not None
    assert await sweep_lag(sessions, now=retry_at + 2 * MINUTE) == timedelta(0)


async def test_a_nudge_given_up_no_longer_counts(sessions: Sessions) -> None:
    home, _ = await claim_due(sessions, now=HOST_FIRST, policy=POLICY)
    assert home.recipient_id == HOME
    await mark_failed(sessions, home, error="user_disabled", now=HOST_FIRST, retry_at=None)

    # The home manager's reminder, due since 09:00, is given up: the host's, due since 17:00, is
    # the oldest left.
    assert await sweep_lag(sessions, now=HOST_FIRST + MINUTE) == MINUTE
