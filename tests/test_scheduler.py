"""The sweep's scheduler: it sweeps as soon as it starts, passes an aware UTC `now`, and on stop
waits for a sweep under way. Driven by events, never by waiting for the interval."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy.exc import OperationalError

from bot.logs import CORRELATION_ID, NO_CORRELATION
from bot.scheduler import Sweeper
from bot.slack_standin.recorded import WAIT_LIMIT
from tests.support.clocks import SetClock


async def test_the_sweeper_sweeps_as_soon_as_it_starts() -> None:
    seen: list[datetime] = []
    swept = asyncio.Event()

    async def sweep(now: datetime) -> None:
        seen.append(now)
        swept.set()

    sweeper = Sweeper(sweep, interval=3600)
    sweeper.start()
    await asyncio.wait_for(swept.wait(), WAIT_LIMIT)
    await sweeper.stop()

    assert len(seen) == 1 and seen[0].tzinfo is UTC


async def test_stopping_waits_for_a_sweep_under_way() -> None:
    started, release = asyncio.Event(), asyncio.Event()
    finished: list[datetime] = []

    async def sweep(now: datetime) -> None:
        started.set()
        await release.wait()
        finished.append(now)

    sweeper = Sweeper(sweep, interval=3600)
    sweeper.start()
    await asyncio.wait_for(started.wait(), WAIT_LIMIT)
    stopping = asyncio.create_task(sweeper.stop())
    await asyncio.sleep(0)  # let stop() reach the lock
    assert not stopping.done()

    release.set()
    await asyncio.wait_for(stopping, WAIT_LIMIT)
    assert len(finished) == 1


async def test_stopping_a_sweeper_that_never_started_is_harmless() -> None:
    async def sweep(now: datetime) -> None:
        raise AssertionError("never started, never sweeps")

    await Sweeper(sweep, interval=3600).stop()


async def test_the_daily_job_runs_at_start_too_and_never_beside_the_sweep() -> None:
    running: list[str] = []
    overlaps: list[list[str]] = []
    both = asyncio.Event()
    seen: list[str] = []

    def job(name: str) -> Callable[[datetime], Awaitable[None]]:
        async def run(now: datetime) -> None:
            assert now.tzinfo is UTC
            if running:
                overlaps.append([*running, name])
            running.append(name)
            await asyncio.sleep(0)  # give the other job a chance to start alongside
            running.remove(name)
            seen.append(name)
            if {"sweep", "daily"} <= set(seen):
                both.set()

        return run

    sweeper = Sweeper(job("sweep"), interval=3600, daily=job("daily"))
    sweeper.start()
    await asyncio.wait_for(both.wait(), WAIT_LIMIT)
    await sweeper.stop()

    assert sorted(seen) == ["daily", "sweep"] and overlaps == []


async def test_each_run_logs_under_a_correlation_id_of_its_own() -> None:
    ids: list[str] = []
    both = asyncio.Event()

    async def run(now: datetime) -> None:
        ids.append(CORRELATION_ID.get())
        if len(ids) == 2:
            both.set()

    sweeper = Sweeper(run, interval=3600, daily=run)  # both run once at start
    sweeper.start()
    await asyncio.wait_for(both.wait(), WAIT_LIMIT)
    await sweeper.stop()

    assert NO_CORRELATION not in ids and len(set(ids)) == 2


async def test_the_jobs_get_the_clock_s_now_not_the_system_s() -> None:
    clock = SetClock(datetime(2031, 5, 6, 7, 8, tzinfo=UTC))
    seen: list[datetime] = []
    both = asyncio.Event()

    async def run(now: datetime) -> None:
        seen.append(now)
        if len(seen) == 2:
            both.set()

    sweeper = Sweeper(run, interval=3600, daily=run, clock=clock)
    sweeper.start()
    await asyncio.wait_for(both.wait(), WAIT_LIMIT)
    await sweeper.stop()

    assert seen == [clock.at] * 2


async def test_a_daily_run_that_fails_is_tried_again_until_it_succeeds() -> None:
    runs: list[datetime] = []
    succeeded = asyncio.Event()

    async def daily(now: datetime) -> None:
        runs.append(now)
        if len(runs) < 3:  # the database is down at start, and still at the first retry
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError())
        succeeded.set()

    async def sweep(now: datetime) -> None:
        return None

    sweeper = Sweeper(sweep, interval=3600, daily=daily, daily_retry_seconds=0)
    sweeper.start()
    await asyncio.wait_for(succeeded.wait(), WAIT_LIMIT)
    await sweeper.stop()

    assert len(runs) == 3
