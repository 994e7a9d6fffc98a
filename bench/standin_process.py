"""The Slack stand-in in a process of its own, so that its Block Kit validation (slack_sdk.models)
does not share the CPU and event loop of the app being measured.

Run as `python -m bench.standin_process` this module is that process: it starts the stand-in
(`TimedStandIn`, with the benchmark's people) on a free port, prints the port as one line on
stdout, and serves until SIGTERM or SIGINT, or until its stdin is closed. Besides the
stand-in's own routes it answers `GET /bench/opened` with when each `views.open` arrived, by
trigger id, in seconds of `time.perf_counter()` (CLOCK_MONOTONIC on Linux, so comparable across
processes).

It checks each distinct Block Kit payload once. Checked on every call, the request modal took
a few milliseconds of this process's CPU per views.open; once the bot acknowledged faster than
that, views.open calls queued here before their arrival was noted, and the time to views.open
measured this process instead of the bot.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import aiohttp
from aiohttp import web

from bench.setup import PEOPLE, TimedStandIn, quiet_logs
from bot.slack_standin.validation import block_kit_problem

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPENED = "/bench/opened"


@dataclass
class _ServedStandIn(TimedStandIn):
    """TimedStandIn with the extra route that hands its views.open arrival times out, checking
    each distinct payload once."""

    def _check_blocks(self, method: str, body: dict[str, Any]) -> str | None:
        if not self.check_blocks:
            return None
        shown = {key: body[key] for key in ("blocks", "view") if key in body}
        return _checked(method, json.dumps(shown, sort_keys=True))

    QUIET = True  # without the access log

    def _routes(self) -> list[web.RouteDef]:
        """The stand-in's routes, with the extra one."""
        return [*super()._routes(), web.get(OPENED, self._handle_opened)]

    async def _handle_opened(self, request: web.Request) -> web.Response:
        return web.json_response(self.opened_at)


@lru_cache(maxsize=256)
def _checked(method: str, shown: str) -> str | None:
    """What Slack would refuse in a payload's Block Kit, checked once per distinct payload."""
    return block_kit_problem(method, json.loads(shown))


async def _serve() -> None:
    quiet_logs()
    standin = _ServedStandIn()
    for person in PEOPLE:
        standin.add_user(person)
    standin.keep_calls = False  # nothing reads them here; a long run would keep every body
    await standin.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    stdin = asyncio.StreamReader()  # closed when the parent goes, even if it never signals
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    watch = asyncio.create_task(stdin.read())
    watch.add_done_callback(lambda _: stop.set())
    print(standin.port, flush=True)
    await stop.wait()
    watch.cancel()
    await standin.stop()


class StandInHandle(Protocol):
    """What the latency measure needs of a stand-in, wherever it runs."""

    @property
    def address(self) -> TimedStandIn:
        """A stand-in whose `api_url` reaches the one serving."""
        ...

    async def opened_at(self) -> dict[str, float]:
        """When each views.open arrived, by trigger id (perf_counter seconds)."""
        ...


@dataclass
class InProcess:
    """The stand-in served in the benchmark's own process (`--standin in-process`)."""

    address: TimedStandIn

    async def opened_at(self) -> dict[str, float]:
        """When each views.open arrived, by trigger id (perf_counter seconds)."""
        return dict(self.address.opened_at)


@dataclass
class StandInProcess:
    """A handle on the child: `address` is an unstarted stand-in whose `api_url` reaches it."""

    process: asyncio.subprocess.Process
    address: TimedStandIn

    @property
    def base_url(self) -> str:
        """Where the child listens."""
        return f"http://127.0.0.1:{self.address.port}"

    async def opened_at(self) -> dict[str, float]:
        """When each views.open arrived at the child, by trigger id (perf_counter seconds)."""
        async with (
            aiohttp.ClientSession() as session,
            session.get(self.base_url + OPENED) as response,
        ):
            assert response.status == 200, response.status
            found = await response.json()
        return {str(k): float(v) for k, v in found.items()}

    async def stop(self) -> None:
        """Stop the child, and wait for it to end."""
        if self.process.returncode is None:
            self.process.terminate()
        await self.process.wait()


async def start_standin_process() -> StandInProcess:
    """Start the stand-in in a process of its own; a handle on it once it serves."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.standin_process",
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 30)
    if not line.strip().isdigit():
        process.kill()
        await process.wait()
        raise RuntimeError(f"the stand-in process did not start (printed {line!r})")
    address = TimedStandIn()  # not started: only its address is used, to reach the child
    address.port = int(line)
    return StandInProcess(process, address)


if __name__ == "__main__":
    sys.exit(asyncio.run(_serve()))
