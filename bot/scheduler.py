"""APScheduler wiring: one interval job that sweeps due nudges and sends them.

The schedule itself lives in the `nudges` table (DESIGN.md, decision 6); APScheduler only wakes
the sweep every few seconds. `max_instances=1` and `coalesce` keep sweeps from piling up, and the
lock lets shutdown wait for a sweep that is under way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler


class Sweeper:
    def __init__(self, sweep: Callable[[datetime], Awaitable[object]], interval: float) -> None:
        self._sweep = sweep
        self._lock = asyncio.Lock()
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._scheduler.add_job(
            self._run,
            "interval",
            seconds=interval,
            id="nudge-sweep",
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
        )

    async def _run(self) -> None:
        async with self._lock:
            await self._sweep(datetime.now(UTC))

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
