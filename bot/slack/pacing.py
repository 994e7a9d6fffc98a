"""How fast the sweep sends: at most `concurrency` Slack calls on their way at once, and at most
`rate` a second, so a backlog (after downtime, or Monday 09:00 for a whole company) drains
quickly without running into Slack's workspace-wide posting limit.

The rate is kept by aiolimiter's leaky bucket, holding one send: each send waits until the one
before it has leaked out, `1 / rate` seconds later, so sends are spaced evenly rather than let
through a second's worth at once. The bucket reads the event loop's clock, which is how
tests/support/virtual_loop.py moves time for it instead of waiting.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from aiolimiter import AsyncLimiter


@dataclass
class Pace:
    """At most `rate` sends a second across every sweep of the process; 0 leaves them unpaced."""

    rate: float
    _bucket: AsyncLimiter | None = field(init=False, default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.rate:
            # A bucket of one: right after downtime a full second's worth at once is exactly the
            # burst Slack's per-second limits refuse.
            self._bucket = AsyncLimiter(max_rate=1, time_period=1 / self.rate)

    async def wait(self) -> None:
        """Wait for this send's turn. Sends waiting at once go in the order they asked."""
        if self._bucket is not None:
            await self._bucket.acquire()


@dataclass(frozen=True)
class Sending:
    """The sweep's sending limits (`deps_from` sets them from SEND_CONCURRENCY,
    SEND_RATE_PER_SECOND and SWEEP_INTERVAL_SECONDS; unset, one send at a time, unpaced).
    `sweep_seconds` is how long one sweep keeps claiming more while a backlog lasts: about one
    interval, so a shutdown, which waits for the sweep under way, is not held up for long."""

    concurrency: int = 1
    pace: Pace = field(default_factory=lambda: Pace(rate=0))
    sweep_seconds: float = 5.0
    # The changes whose messages are being delivered right after them (bot/slack/delivery.py
    # `deliver_now`), at most `concurrency` at once: in a burst of clicks, the acks and the
    # changes themselves come first, and the deliveries follow as slots free up.
    delivering: asyncio.Semaphore = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "delivering", asyncio.Semaphore(self.concurrency))
