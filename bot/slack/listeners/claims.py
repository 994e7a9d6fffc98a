"""What a listener's changes say is written claimed for that listener (bot/services/outbox.py
`claiming`), for its `deliver_now` to send right after the answer, without claiming it again.
Every listener runs inside `said_here` (bot/slack/listeners/errors.py wraps them all)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from bot.services.outbox import claiming

log = logging.getLogger(__name__)


@contextmanager
def said_here() -> Iterator[None]:
    """Around one listener. What it claimed and left unsent goes out with the sweep once the
    claims' lease runs out. If the listener ended normally, that is a fault, and logged; if it
    failed before delivering, its own error is reported."""
    with claiming() as claims:
        yield
    if claims.rows:
        log.error(
            "%d message(s) claimed by the listener were left unsent: nudges %s",
            len(claims.rows),
            ", ".join(str(row.nudge_id) for row in claims.rows),
        )
