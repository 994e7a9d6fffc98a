"""How fast the sweep sends: at most `concurrency` Slack calls on their way at once, and at most
`rate` a second, so a backlog (after downtime, or Monday 09:00 for a whole company) drains
quickly without running into Slack's workspace-wide posting limit.

The rate is kept by spacing: each send takes the next free slot, `1 / rate` seconds after the
one before, and sleeps until it comes. The clock and the sleep are injectable so tests can move
time instead of waiting for it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


@dataclass
class Pace:
    """At most `rate` sends a second across every sweep of the process; 0 leaves them unpaced."""

    rate: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep
    _next_slot: float = field(default=0.0, init=False)

    async def wait(self) -> None:
        """Wait for this send's slot. The slot is taken before sleeping (no await in between),
        so sends waiting at once get successive slots."""
        if not self.rate:
            return
        now = self.clock()
        slot = max(now, self._next_slot)
        self._next_slot = slot + 1 / self.rate
        if slot > now:
            await self.sleep(slot - now)


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
