"""Marking delivered messages sent as they arrive, several to a transaction (a group commit).

Each send marks its message as soon as Slack has it, so a sweep that stalls or dies leaves
unmarked only what it was still sending. Sends finish close together, so a mark waits for the
transaction under way, if any, then goes with every other mark that arrived meanwhile: one
transaction (and on SQLite one sync to disk) for many messages.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.db import Sessions
from bot.services.sweep import Due, mark_delivered


class SentMarks:
    def __init__(self, sessions: Sessions, now: datetime) -> None:
        self._sessions = sessions
        self._now = now
        self._lock = asyncio.Lock()
        self._waiting: list[tuple[Due, asyncio.Future[bool]]] = []

    async def mark(self, due: Due) -> bool:
        """Mark `due` sent; False if it already was (another sweep delivered it)."""
        marked: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((due, marked))
        async with self._lock:
            if not marked.done():  # no earlier group took it: this call marks all waiting
                group, self._waiting = self._waiting, []
                try:
                    ids = await mark_delivered(self._sessions, [d for d, _ in group], now=self._now)
                except BaseException:
                    # This call raises the error; the others in its group end as cancelled, so
                    # one failure (or a sweep being cancelled) is reported once.
                    for _, other in group:
                        other.cancel()
                    raise
                for d, future in group:
                    future.set_result(d.nudge_id in ids)
        return await marked
