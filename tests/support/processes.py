"""For tests that run the bot as an operator does, in a process of its own: a free port, an
environment that holds none of the bot's own settings but the ones a test gives, and the
sandbox started as a newcomer starts it."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

CHECKOUT = str(Path(__file__).resolve().parents[2])
# How long a process may take to start or stop before the test fails; a guard, never a delay.
PROCESS_LIMIT = 30.0

# The prefixes of the bot's settings: a developer's own must not leak into a test's process.
OWN_SETTINGS = ("SLACK_", "DATABASE_URL", "PORT", "LOG_", "MIN_TERM", "RETURN_RIGHTS", "BLOCK_")


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(**settings: str) -> dict[str, str]:
    """The parent's environment without any of the bot's own variables, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(OWN_SETTINGS)}
    return {**env, **settings}


@asynccontextmanager
async def sandbox_process(
    directory: Path, port: int, stderr: int | None = None
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m bot sandbox` in `directory`, once it says its page is served; stopped with
    SIGTERM at the end unless the test ended it otherwise."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "sandbox",
        "--port",
        str(port),
        cwd=directory,
        env=environment(PYTHONPATH=CHECKOUT),
        stdout=asyncio.subprocess.PIPE,
        stderr=stderr,
    )
    try:
        assert process.stdout is not None
        ready = await asyncio.wait_for(process.stdout.readline(), PROCESS_LIMIT)
        assert f"Sandbox ready: open http://127.0.0.1:{port}/" in ready.decode(), ready
        yield process
    finally:
        if process.returncode is None:
            process.terminate()
            await asyncio.wait_for(process.wait(), PROCESS_LIMIT)
