"""An event loop whose clock moves only when the loop would otherwise sleep, so code that waits
on the loop's own timers (aiolimiter's bucket, asyncio.sleep) runs in no real time and a test can
read exactly when each wait ended.

Only for code that waits on timers alone: a loop whose timeouts fire at once would break a
database driver or an HTTP client that guards real I/O with one.
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

# Each turn of the loop moves the clock by this much, as a real clock would: a timer due "now"
# that is recomputed from the clock must see it move, or it is scheduled again for the same
# instant forever (a leaky bucket a hair short of empty does exactly this).
TICK = 1e-6


class _Selector(selectors.DefaultSelector):
    """Waits for nothing: a timeout the loop would sleep through is added to the clock."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        """What is ready now; a timeout is added to the virtual clock instead of waited."""
        self.now += TICK
        ready = super().select(0)
        if ready or timeout == 0:
            return ready
        if timeout is None:  # no timer at all: only real I/O can wake the loop
            return super().select(None)
        self.now += timeout
        return []


class VirtualLoop(asyncio.SelectorEventLoop):
    """A selector event loop on the virtual clock above, starting at 0."""

    def __init__(self) -> None:
        self._clock = _Selector()
        super().__init__(self._clock)

    def time(self) -> float:
        """The virtual clock's time."""
        return self._clock.now


def run_virtually(main: Callable[[VirtualLoop], Awaitable[T]]) -> T:
    """Run `main(loop)` to its end on a fresh virtual loop, and close the loop."""
    loop = VirtualLoop()
    try:
        return loop.run_until_complete(main(loop))
    finally:
        loop.close()
