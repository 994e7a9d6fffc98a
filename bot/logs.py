"""Logging: one format for the whole process, with the correlation id of the request in hand."""

from __future__ import annotations

import logging
import uuid
from contextvars import ContextVar

CORRELATION_ID: ContextVar[str] = ContextVar("correlation_id", default="-")


def new_correlation_id() -> str:
    return uuid.uuid4().hex[:12]


class _CorrelationFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = CORRELATION_ID.get()
        return True


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(_CorrelationFilter())
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # The sweep runs every few seconds; one line per run would drown everything else.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
