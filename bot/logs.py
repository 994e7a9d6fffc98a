"""Logging: one line per record, as text or as JSON (`LOG_FORMAT`), each carrying the correlation
id of the request or sweep in hand, with secrets blanked out wherever they appear."""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Literal

LogFormat = Literal["text", "json"]
NO_CORRELATION = "-"
CORRELATION_ID: ContextVar[str] = ContextVar("correlation_id", default=NO_CORRELATION)
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s: %(message)s"
# Slack tokens are known by their prefix, whichever workspace or kind (bot, user, app-level,
# refresh) they are, so even one the settings never held is blanked; other secrets by value.
SLACK_TOKEN = re.compile(r"\b(?:xox[a-z]|xapp)-[A-Za-z0-9-]+")
# Slack's request bodies carry the app's legacy verification token, as a form field, in a JSON
# payload or in one URL-encoded (`payload=...`), and Bolt logs the body of a request it refuses.
# The quotes may be escaped: a JSON log line escapes the message it holds.
VERIFICATION_TOKEN = re.compile(
    r'(\btoken=|\\?"token\\?"\s*:\s*\\?"|%22token%22%3A(?:\+|%20)*%22)[^&"\\%\s]+'
)
REDACTED = "[redacted]"


def new_correlation_id() -> str:
    return uuid.uuid4().hex[:12]


@contextmanager
def correlated(correlation_id: str | None = None) -> Iterator[str]:
    """Log everything inside under `correlation_id` (a new one by default), including what
    tasks started inside log later: each task keeps a copy of the context it was created in."""
    token = CORRELATION_ID.set(correlation_id or new_correlation_id())
    try:
        yield CORRELATION_ID.get()
    finally:
        CORRELATION_ID.reset(token)


class _CorrelationFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = CORRELATION_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (ISO 8601, UTC), level, logger, message, correlation_id, and
    the traceback as `exception` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": getattr(record, "correlation_id", CORRELATION_ID.get()),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False)


class _Redacting(logging.Formatter):
    """Blanks secrets out of the finished line, so a message, an argument or a traceback that
    happens to hold one (a library's debug output, an error that echoes a request) cannot leak."""

    def __init__(self, inner: logging.Formatter, secrets: Iterable[str]) -> None:
        super().__init__()
        self._inner = inner
        # Longest first, so a secret that contains another is blanked whole.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        line = SLACK_TOKEN.sub(REDACTED, self._inner.format(record))
        line = VERIFICATION_TOKEN.sub(rf"\1{REDACTED}", line)
        for secret in self._secrets:
            line = line.replace(secret, REDACTED)
        return line


def log_handler(
    log_format: LogFormat = "text", secrets: Iterable[str] = (), stream: IO[str] | None = None
) -> logging.Handler:
    """A handler writing the bot's lines to `stream` (standard error by default)."""
    handler = logging.StreamHandler(stream)
    handler.addFilter(_CorrelationFilter())
    inner = JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    handler.setFormatter(_Redacting(inner, secrets))
    return handler


def configure_logging(
    level: str, log_format: LogFormat = "text", secrets: Iterable[str] = ()
) -> None:
    root = logging.getLogger()
    root.handlers[:] = [log_handler(log_format, secrets)]
    root.setLevel(level.upper())
    # The sweep runs every few seconds; one line per run would drown everything else.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
    # slack_sdk renders each Web API request and response as text for a debug line when its
    # client logger's own level (not the effective one) is DEBUG or unset: unset, every call
    # paid for a line that was then dropped.
    logging.getLogger("slack_sdk.web.async_base_client").setLevel(root.level)
