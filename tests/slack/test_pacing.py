"""SEND_RATE_PER_SECOND as the sweep keeps it (bot/slack/pacing.py): sends spaced evenly at the
rate, in the order they asked, none held back after a quiet spell, none at all when unpaced.
The waits run on a virtual clock, so no test waits for real time."""

from __future__ import annotations

import asyncio

import pytest

from bot.slack.pacing import Pace
from tests.support.virtual_loop import VirtualLoop, run_virtually

# The loop's clock moves a microsecond a turn, as a real one would; this is far below the gaps
# that matter (1/20 s) and far above what those turns add up to here.
CLOSE = 1e-3


async def turns(loop: VirtualLoop, pace: Pace, count: int) -> list[tuple[int, float]]:
    """`count` sends asking for their turn at once: who went, and when, in the order they went."""
    went: list[tuple[int, float]] = []

    async def send(number: int) -> None:
        await pace.wait()
        went.append((number, loop.time()))

    await asyncio.gather(*(send(n) for n in range(count)))
    return went


@pytest.mark.parametrize("count", [2, 12, 200])
def test_sends_asking_at_once_go_one_every_one_over_rate_seconds_in_order(count: int) -> None:
    went = run_virtually(lambda loop: turns(loop, Pace(rate=20), count))

    assert [number for number, _ in went] == list(range(count))
    assert [at for _, at in went] == pytest.approx([n / 20 for n in range(count)], abs=CLOSE)


def test_a_send_after_a_quiet_spell_goes_at_once_and_the_next_keeps_the_spacing() -> None:
    async def main(loop: VirtualLoop) -> list[float]:
        pace = Pace(rate=4)
        await pace.wait()
        await asyncio.sleep(10)  # quiet: nothing owed from before
        return [at for _, at in await turns(loop, pace, 3)]

    assert run_virtually(main) == pytest.approx([10, 10.25, 10.5], abs=CLOSE)


def test_unpaced_sends_never_wait() -> None:
    went = run_virtually(lambda loop: turns(loop, Pace(rate=0), 100))

    assert max(at for _, at in went) < CLOSE
