"""Logging: one line per record, as text or as JSON (`LOG_FORMAT`), each carrying the correlation
id of the request or sweep in hand, with secrets blanked out wherever they appear."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Literal

import pythonjsonlogger.json
from aiohttp.http_exceptions import HttpProcessingError

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
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S*", re.IGNORECASE)


def new_correlation_id() -> str:
    """A fresh short id that ties together every log line of one unit of work."""
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
        """Stamp the record with the current correlation id."""
        record.correlation_id = CORRELATION_ID.get()
        return True


class JsonFormatter(pythonjsonlogger.json.JsonFormatter):
    """One JSON object a line, by python-json-logger: time (ISO 8601, UTC, milliseconds), level,
    logger, message, correlation_id, the traceback as `exception` and the stack as `stack` when
    there is one, and any `extra` fields a record carries."""

    def __init__(self) -> None:
        super().__init__(
            ["asctime", "levelname", "name", "message", "correlation_id"],
            rename_fields={
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
                "exc_info": "exception",
                "stack_info": "stack",
            },
            json_ensure_ascii=False,
        )

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        """The record's time in ISO 8601, UTC, to the millisecond."""
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


# Everything a line-oriented reader takes for a line break, escaped in the text format.
_LINE_BREAKS = {c: repr(chr(c))[1:-1] for c in (0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85)}
_LINE_BREAKS |= {0x2028: "\\u2028", 0x2029: "\\u2029"}


class _TextFormatter(logging.Formatter):
    """The text format, one record a line: a message's own line breaks are escaped, so nothing a
    sender chose (an id, a URL) can begin a line that looks like the bot's. A traceback still
    follows on lines of its own."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        """The message with its own line breaks escaped."""
        record.message = record.message.translate(_LINE_BREAKS)
        return super().formatMessage(record)


class _NoResponseUrls(logging.Filter):
    """slack_sdk's webhook client names the response URL in its lines (each retry, each debug
    line). A response URL is a capability, and in a forged request a sender's choice: it is
    logged as `[response URL]`."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace every URL in the message with `[response URL]`."""
        record.msg, record.args = _URL.sub("[response URL]", record.getMessage()), ()
        return True


# A calendar feed's path (bot/web.py): the token in it is the feed's only key.
_CALENDAR_PATH = re.compile(r"/calendar/[^/\s\"]+")


class _NoCalendarTokens(logging.Filter):
    """aiohttp's access log names each request's path, in its message and in the `extra`
    fields a JSON line carries: a calendar feed's token is logged as `[token]`."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace each calendar feed's token in the record with `[token]`."""
        record.msg, record.args = _CALENDAR_PATH.sub("/calendar/[token]", record.getMessage()), ()
        for name, value in vars(record).items():
            if isinstance(value, str) and "/calendar/" in value:
                setattr(record, name, _CALENDAR_PATH.sub("/calendar/[token]", value))
        return True


class _QuietBadHttp(logging.Filter):
    """aiohttp logs a request it cannot parse (a bad Content-Length, a header too long...) as an
    error with a traceback that echoes the sender's bytes. Anyone can send one without signing
    anything, so it is a warning naming only the kind of fault."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Turn aiohttp's error about a malformed request into a one-line warning."""
        error = record.exc_info[1] if record.exc_info else None
        if record.name == "aiohttp.server" and isinstance(error, HttpProcessingError):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg, record.args = (
                "refused a malformed HTTP request: %s",
                (type(error).__name__,),
            )
            record.exc_info, record.exc_text = None, None
        return True


class _Redacting(logging.Formatter):
    """Blanks secrets out of the finished line, so a message, an argument or a traceback that
    happens to hold one (a library's debug output, an error that echoes a request) cannot leak."""

    def __init__(self, inner: logging.Formatter, secrets: Iterable[str]) -> None:
        super().__init__()
        self._inner = inner
        # Longest first, so a secret that contains another is blanked whole.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        """The inner formatter's line, with every secret in it blanked out."""
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
    inner = JsonFormatter() if log_format == "json" else _TextFormatter(TEXT_FORMAT)
    handler.setFormatter(_Redacting(inner, secrets))
    return handler


def configure_logging(
    level: str, log_format: LogFormat = "text", secrets: Iterable[str] = ()
) -> None:
    """Send the bot's log lines to standard error, at `level`, in the chosen format."""
    root = logging.getLogger()
    root.handlers[:] = [log_handler(log_format, secrets)]
    root.setLevel(level.upper())
    # The sweep runs every few seconds; one line per run would drown everything else. The
    # scheduler's own start-up lines ("Adding job tentatively", once per job) say nothing the
    # bot's "serving" line does not.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # aiosqlite logs every statement with its parameters at DEBUG: people's own words, and the
    # tokens of calendar links. The bot's own DEBUG lines are enough to follow it.
    logging.getLogger("aiosqlite").setLevel(max(root.level, logging.INFO))
    # slack_sdk renders each Web API request and response as text for a debug line when its
    # client logger's own level (not the effective one) is DEBUG or unset: unset, every call
    # paid for a line that was then dropped.
    logging.getLogger("slack_sdk.web.async_base_client").setLevel(root.level)


def quiet_what_senders_choose() -> None:
    """Filters on the loggers of the libraries that log what a request's sender chose or a
    capability URL (aiohttp's parser and access log, slack_sdk's webhook client): on the
    loggers, not a handler, so every handler sees the same record. Safe to call more than
    once."""
    for name, kind in (
        ("aiohttp.server", _QuietBadHttp),
        ("aiohttp.access", _NoCalendarTokens),
        ("slack_sdk.webhook.async_client", _NoResponseUrls),
    ):
        logger = logging.getLogger(name)
        if not any(isinstance(f, kind) for f in logger.filters):
            logger.addFilter(kind())
