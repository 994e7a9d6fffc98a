"""APScheduler wiring: an interval job that sweeps due nudges and sends them, and a daily job
(retention) at 03:00 UTC.

The schedule itself lives in the `nudges` table (DESIGN.md, decision 6); APScheduler only wakes
the sweep every few seconds. `max_instances=1` and `coalesce` keep runs from piling up, and the
lock lets shutdown wait for one that is under way. Both jobs also run once at start, so a bot
that was down at 03:00 does not skip a day.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.logs import correlated

Job = Callable[[datetime], Awaitable[object]]
DAILY_HOUR_UTC = 3


class Sweeper:
    def __init__(self, sweep: Job, interval: float, daily: Job | None = None) -> None:
        self._lock = asyncio.Lock()
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._scheduler.add_job(
            self._run,
            "interval",
            args=[sweep],
            seconds=interval,
            id="nudge-sweep",
            name="nudge sweep",
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
        )
        if daily is not None:
            self._scheduler.add_job(
                self._run,
                "cron",
                args=[daily],
                hour=DAILY_HOUR_UTC,
                id="daily",
                name="daily retention",
                max_instances=1,
                coalesce=True,
                misfire_grace_time=3600,
                next_run_time=datetime.now(UTC),
            )

    async def _run(self, job: Job) -> None:
        # Each run is one unit of work in the logs, like a request.
        async with self._lock:
            with correlated():
                await job(datetime.now(UTC))

    def start(self) -> None:
        self._scheduler.start()

    async def stop(self) -> None:
        """Stop waking the sweep, let one that is running finish, then shut down. (Shutting down
        first would cancel it: APScheduler's asyncio executor cancels running jobs.)"""
        if not self._scheduler.running:
            return
        self._scheduler.pause()
        async with self._lock:
            self._scheduler.shutdown(wait=False)
