"""APScheduler wiring: an interval job that sweeps due nudges and sends them, and a daily job
(retention) at 03:00 UTC.

The schedule itself lives in the `nudges` table (docs/DESIGN.md, decision 6); APScheduler only wakes
the sweep every few seconds. `max_instances=1` and `coalesce` keep runs from piling up, and the
lock lets shutdown wait for one that is under way. Both jobs also run once at start, so a bot
that was down at 03:00 does not skip a day, and a daily run that fails is tried again later.

APScheduler wakes the jobs on the system's time; each job is handed the bot's clock's "now"
(bot/clock.py), the time the domain reasons in.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.exc import SQLAlchemyError

from bot.clock import Clock, SystemClock
from bot.logs import correlated

log = logging.getLogger(__name__)

Job = Callable[[datetime], Awaitable[object]]
DAILY_HOUR_UTC = 3
# A failed daily run is tried again this much later, until it succeeds.
DAILY_RETRY_SECONDS = 15 * 60


class Sweeper:
    """Wakes the sweep every few seconds and the daily retention job once a day."""

    def __init__(
        self,
        sweep: Job,
        interval: float,
        daily: Job | None = None,
        clock: Clock | None = None,
        daily_retry_seconds: float = DAILY_RETRY_SECONDS,
    ) -> None:
        self._clock = SystemClock() if clock is None else clock
        self._daily_retry = timedelta(seconds=daily_retry_seconds)
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
            # "Run now" in APScheduler's time, the system's, whatever the bot's clock says.
            next_run_time=datetime.now(UTC),
        )
        if daily is not None:
            self._scheduler.add_job(
                self._run_daily,
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
                await job(self._clock.now())

    async def _run_daily(self, job: Job) -> None:
        """The daily job; when it fails (the database down at start, say), it is tried again
        after `daily_retry_seconds` rather than waiting for tomorrow's run."""
        try:
            await self._run(job)
        except (SQLAlchemyError, OSError, TimeoutError) as error:
            log.warning(
                "the daily job failed (%s); trying again in %s",
                type(error).__name__,
                self._daily_retry,
            )
            self._scheduler.add_job(
                self._run_daily,
                "date",
                args=[job],
                run_date=datetime.now(UTC) + self._daily_retry,
                # A job of its own each time: this run is still under way as the next is added.
                name="daily retention, again",
                misfire_grace_time=None,
            )

    def start(self) -> None:
        """Start waking the jobs (the sweep runs at once)."""
        self._scheduler.start()

    @asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        """No sweep runs inside this block: one under way finishes first, and one due waits."""
        async with self._lock:
            yield

    async def stop(self) -> None:
        """Stop waking the sweep, let one that is running finish, then shut down. (Shutting down
        first would cancel it: APScheduler's asyncio executor cancels running jobs.)"""
        if not self._scheduler.running:
            return
        self._scheduler.pause()
        async with self.held():
            self._scheduler.shutdown(wait=False)
