"""Ack latency: the time to Slack's HTTP 200 for `/secondment request` and for an Approve click,
and the time to the `views.open` the command makes, at concurrency 1 and 20, for the bot and for
a bare Bolt app that only acknowledges (served in the same process, against the same stand-in).

By default the stand-in runs in a process of its own (bench/standin_process.py), so its Block Kit
validation does not compete with the app being measured for this process's CPU and event loop;
it notes when each views.open arrives and hands the times over once a measure is done.
`--standin in-process` serves it in this process instead, as before, for comparison."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import parse_qs

import aiohttp
from sqlalchemy import update

from bench.setup import Served, background_done, serve_bare, serve_bot
from bench.standin_process import StandInHandle
from bot.domain.decisions import DecisionRef
from bot.domain.states import Side, Status
from bot.models import Secondment
from bot.slack.client import pooled_connections
from bot.slack.ids import Action
from tests.support import wire
from tests.support.harness import EMPLOYEE, HOME
from tests.support.seeds import Spec, seed

THREAD_CHANNEL, THREAD_TS = "G0BENCH", "1800000000.000001"
ROUNDS = 4  # turns of each app per measure (see `measure_latency`)


@dataclass(frozen=True)
class Percentiles:
    p50: float  # milliseconds
    p99: float

    @classmethod
    def of(cls, samples: list[float]) -> Percentiles:
        cuts = statistics.quantiles(samples, n=100, method="inclusive")
        return cls(statistics.median(samples) * 1000, cuts[98] * 1000)


@dataclass(frozen=True)
class LatencyResult:
    """Percentiles by (measure, concurrency)."""

    bot: dict[tuple[str, int], Percentiles]
    bare: dict[tuple[str, int], Percentiles]


Post = Callable[[aiohttp.ClientSession, int], Awaitable[float]]


async def _run(session: aiohttp.ClientSession, post: Post, count: int, concurrency: int) -> None:
    """`count` posts, at most `concurrency` at a time; `post(session, n)` records its own time."""
    gate = asyncio.Semaphore(concurrency)

    async def one(n: int) -> None:
        async with gate:
            await post(session, n)

    await asyncio.gather(*(one(n) for n in range(count)))
    await background_done()


def _command_post(app: Served, acks: list[float], sent: list[tuple[str, float]]) -> Post:
    """Post `/secondment request`; note the time to the 200 and when it was sent, by trigger."""

    async def post(session: aiohttp.ClientSession, _n: int) -> float:
        body = wire.slash_command(EMPLOYEE, "request", f"{app.url}/respond")
        started = time.perf_counter()
        async with session.post(f"{app.url}/slack/events", data=body, headers=wire.sign(body)) as r:
            await r.read()
            assert r.status == 200, r.status
        acks.append(time.perf_counter() - started)
        sent.append((parse_qs(body)["trigger_id"][0], started))
        return acks[-1]

    return post


def _times_to_open(opened_at: dict[str, float], sent: list[tuple[str, float]]) -> list[float]:
    """From each command to its views.open arriving at the stand-in (infinite if it never did)."""
    return [opened_at.get(trigger, float("inf")) - started for trigger, started in sent]


def _click_post(app: Served, ids: list[int], acks: list[float]) -> Post:
    async def post(session: aiohttp.ClientSession, n: int) -> float:
        body = wire.block_action(
            HOME,
            Action.APPROVE,
            DecisionRef(ids[n], Side.HOME, 1).encode(),
            response_url=f"{app.url}/respond",  # never called on success
            channel_id=THREAD_CHANNEL,
            message_ts=THREAD_TS,
        )
        started = time.perf_counter()
        async with session.post(f"{app.url}/slack/events", data=body, headers=wire.sign(body)) as r:
            await r.read()
            assert r.status == 200, r.status
        acks.append(time.perf_counter() - started)
        return acks[-1]

    return post


async def measure_latency(
    database_url: str,
    standin: StandInHandle,
    samples: int,
    concurrencies: tuple[int, ...],
    rounds: int = ROUNDS,
) -> LatencyResult:
    """Each measure's `samples` posts, taken in `rounds` turns that alternate the bare app and
    the bot, so that both meet the same machine: on a small shared machine its speed drifts
    over minutes, and a measure of one app taken minutes after the other's compares the drift.
    The percentiles are of all the turns' samples together."""
    bot = await serve_bot(database_url, standin.address)
    bare = await serve_bare(standin.address)
    assert bot.sessions is not None
    clicks = samples * len(concurrencies) + 10
    ids = await seed(bot.sessions, [Spec(EMPLOYEE, Status.PENDING)] * clicks)
    async with bot.sessions.begin() as session:  # an approval thread to post and update in
        await session.execute(
            update(Secondment).values(channel_id=THREAD_CHANNEL, thread_ts=THREAD_TS)
        )
    apps = {"bare": bare, "bot": bot}
    acks: dict[tuple[str, str, int], list[float]] = defaultdict(list)
    opens: dict[int, list[float]] = defaultdict(list)
    used = 0
    assert bot.client is not None
    try:
        # The bot's client pools its connections to Slack, as bot/runtime.py serves it.
        async with aiohttp.ClientSession() as session, pooled_connections(bot.client):
            for app in apps.values():
                await _run(session, _command_post(app, [], []), 5, 1)  # warm up
            for concurrency in concurrencies:
                for turn in _turns(samples, rounds):
                    for name, app in apps.items():
                        sent: list[tuple[str, float]] = []
                        commands = acks["command", name, concurrency]
                        await _run(session, _command_post(app, commands, sent), turn, concurrency)
                        if name == "bot":
                            opened_at = await standin.opened_at()
                            opens[concurrency] += _times_to_open(opened_at, sent)
                        clicked = acks["approve", name, concurrency]
                        click = _click_post(app, ids[used:], clicked)
                        await _run(session, click, turn, concurrency)
                        if name == "bot":
                            used += turn
    finally:
        await bare.close()
        await bot.close()
    results: dict[str, dict[tuple[str, int], Percentiles]] = {"bot": {}, "bare": {}}
    for (measure, name, concurrency), taken in acks.items():
        results[name][(measure, concurrency)] = Percentiles.of(taken)
    for concurrency, taken in opens.items():
        results["bot"][("views.open", concurrency)] = Percentiles.of(taken)
    return LatencyResult(results["bot"], results["bare"])


def _turns(samples: int, rounds: int) -> list[int]:
    """`samples` split into `rounds` turns as even as can be."""
    return [samples // rounds + (n < samples % rounds) for n in range(rounds)]
