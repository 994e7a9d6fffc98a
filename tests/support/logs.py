"""Capturing what the bot logs, formatted as it writes it, for tests of the log lines."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bot.logs import LogFormat, log_handler
from tests.support import wire
from tests.support.standin import BOT_TOKEN


@contextmanager
def captured(
    log_format: LogFormat, logger: logging.Logger | None = None, level: int = logging.DEBUG
) -> Iterator[io.StringIO]:
    """Every line `logger` (all of them by default) writes inside, down to `level`, with the
    bot token and the signing secret of the tests as the secrets to blank out."""
    stream = io.StringIO()
    handler = log_handler(log_format, (BOT_TOKEN, wire.SIGNING_SECRET), stream)
    target = logger or logging.getLogger()
    before = target.level
    target.addHandler(handler)
    target.setLevel(level)
    try:
        yield stream
    finally:
        target.removeHandler(handler)
        target.setLevel(before)


def json_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    """Each line parsed on its own, as a log collector reads them."""
    return [json.loads(line) for line in stream.getvalue().splitlines()]
