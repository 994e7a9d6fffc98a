"""Scale: many active secondments seeded in bulk, each with a due reminder, swept and sent by the
bot in a process of its own (so its peak RSS is the bot's, not the benchmark's), and the HR App
Home opened over them; and startup, `python app.py` to a ready `/healthz`.

Run as `python -m bench.scale URL API_URL [--home]` this module is that process: it sweeps until
nothing is due, optionally opens the HR Home, and prints its figures as one line of JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp

from bench.setup import HR, TimedStandIn, background_done, quiet_logs, serve_bot
from bot.db import make_engine, make_sessions
from bot.domain.states import Status
from bot.slack.client import pooled_connections
from bot.slack.delivery import send_due_nudges
from tests.support import wire
from tests.support.harness import EMPLOYEE
from tests.support.seeds import AT, Spec, due_messages, due_reminders, seed
from tests.support.standin import BOT_TOKEN

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SWEEP_AT = AT + timedelta(hours=1)  # every seeded reminder is due by then


@dataclass(frozen=True)
class SweepResult:
    sent: int
    seconds: float
    most_in_flight: int
    peak_rss_mb: float
    home_ms: float | None

    @property
    def per_second(self) -> float:
        return self.sent / self.seconds


async def seed_secondments(database_url: str, count: int) -> list[int]:
    """`count` secondments waiting for both decisions, in batches of 2,000."""
    engine = make_engine(database_url)
    ids: list[int] = []
    try:
        for start in range(0, count, 2000):
            batch = min(2000, count - start)
            ids += await seed(make_sessions(engine), [Spec(EMPLOYEE, Status.PENDING)] * batch)
    finally:
        await engine.dispose()
    return ids


async def add_reminders(database_url: str, ids: list[int], sequence: int) -> None:
    """One reminder due to each secondment's home manager."""
    engine = make_engine(database_url)
    try:
        await due_reminders(make_sessions(engine), ids, sequence=sequence)
    finally:
        await engine.dispose()


async def add_outbox_messages(database_url: str, ids: list[int]) -> None:
    """One message waiting in the outbox for each secondment's employee."""
    engine = make_engine(database_url)
    try:
        await due_messages(make_sessions(engine), ids)
    finally:
        await engine.dispose()


async def sweep_in_subprocess(
    database_url: str, standin: TimedStandIn, *, home: bool, concurrency: int, rate: float
) -> SweepResult:
    """Run this module as the bot's process against `standin`, sending `concurrency` at a time
    and at most `rate` a second (0: no cap); the stand-in stays here."""
    standin.most_in_flight = 0
    standin.keep_calls = standin.check_blocks = False
    args = [sys.executable, "-m", "bench.scale", database_url, standin.api_url]
    args += ["--concurrency", str(concurrency), "--rate", str(rate)]
    process = await asyncio.create_subprocess_exec(
        *args, *(["--home"] if home else []), cwd=ROOT, stdout=subprocess.PIPE
    )
    out, _ = await process.communicate()
    standin.keep_calls = standin.check_blocks = True
    assert process.returncode == 0, f"the scale run failed ({process.returncode})"
    figures = json.loads(out.decode().strip().splitlines()[-1])
    return SweepResult(most_in_flight=standin.most_in_flight, **figures)


async def _worker(options: argparse.Namespace) -> dict[str, Any]:
    quiet_logs()
    standin = TimedStandIn()  # not started: only its address is used, to reach the real one
    standin.port = int(options.api_url.rsplit(":", 1)[1].split("/", 1)[0])
    bot = await serve_bot(
        options.database_url,
        standin,
        send_concurrency=options.concurrency,
        send_rate_per_second=options.rate,
    )
    assert bot.client is not None and bot.deps is not None
    sent = 0
    started = time.perf_counter()
    # As bot/runtime.py runs the sweep: over the app client's kept-alive connections.
    async with pooled_connections(bot.client):
        while batch := await send_due_nudges(bot.client, bot.deps, SWEEP_AT):
            sent += batch
    seconds = time.perf_counter() - started
    home_ms = None
    if options.home:
        async with aiohttp.ClientSession() as session:
            times = []
            for _ in range(5):
                body = wire.app_home_opened(HR)
                headers = wire.sign(body, content_type="application/json")
                begun = time.perf_counter()
                async with session.post(f"{bot.url}/slack/events", data=body, headers=headers):
                    pass
                await background_done()  # until views.publish has been answered
                times.append(time.perf_counter() - begun)
            home_ms = sorted(times)[len(times) // 2] * 1000
    await bot.close()
    return {"sent": sent, "seconds": seconds, "peak_rss_mb": _peak_kb() / 1024, "home_ms": home_ms}


def _peak_kb() -> int:
    """This process's own peak resident set, in kilobytes. On Linux, from VmHWM: ru_maxrss
    survives exec, so it would report the benchmark process this one was started from whenever
    that had grown larger (seen: 198-204 MB after the latency runs, 120 MB alone)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux


async def startup_seconds(database_url: str, standin: TimedStandIn) -> float:
    """`python app.py` on an empty database (it migrates first) until `/healthz` answers 200."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_SIGNING_SECRET": wire.SIGNING_SECRET,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": standin.api_url,
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
    }
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "app.py", cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )
    try:
        async with aiohttp.ClientSession() as session:
            while time.perf_counter() - started < 30:
                try:
                    async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                        if response.status == 200:
                            return time.perf_counter() - started
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.01)
        raise TimeoutError("the bot did not become ready within 30 s")
    finally:
        process.terminate()
        await process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("database_url")
    parser.add_argument("api_url")
    parser.add_argument("--home", action="store_true", help="then open the HR App Home")
    parser.add_argument("--concurrency", type=int, default=4, help="SEND_CONCURRENCY")
    parser.add_argument("--rate", type=float, default=0, help="SEND_RATE_PER_SECOND (0: no cap)")
    print(json.dumps(asyncio.run(_worker(parser.parse_args()))))


if __name__ == "__main__":
    main()
