"""For tests that run the bot as an operator does, in a process of its own: a free port, and an
environment that holds none of the bot's own settings but the ones a test gives."""

from __future__ import annotations

import os
import socket

# The prefixes of the bot's settings: a developer's own must not leak into a test's process.
OWN_SETTINGS = ("SLACK_", "DATABASE_URL", "PORT", "LOG_", "MIN_TERM", "RETURN_RIGHTS", "BLOCK_")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(**settings: str) -> dict[str, str]:
    """The parent's environment without any of the bot's own variables, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(OWN_SETTINGS)}
    return {**env, **settings}
