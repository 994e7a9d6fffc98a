"""Recording delivered messages sent, many to a transaction: with the next renewal of claims.

A message Slack has taken waits here until the sweep next renews its claims (just before the
next group of sends), and is marked sent in that same transaction; the last are marked when the
batch ends. One transaction (and on SQLite one sync to disk) thus covers a group's marks and the
next group's claims. A process that dies meanwhile leaves those messages claimed and maybe sent:
once the claim runs out, the next sweep finds them in their conversations and only marks them
(bot/slack/posting.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.db import Sessions
from bot.domain.kinds import Posted
from bot.domain.nudge_catalogue import CLOSABLE
from bot.services.delivered import renew_and_mark
from bot.services.sweep import Due


class SentMarks:
    """Messages Slack has taken, to be recorded as sent with the next renewal of claims."""

    def __init__(self, sessions: Sessions, now: datetime, *, look_behind: bool = False) -> None:
        self._sessions = sessions
        self._now = now
        self._look_behind = look_behind
        self._waiting: list[Due] = []
        self._posted: dict[int, Posted] = {}
        self.marked: list[Due] = []  # those this sweep marked (not another, after its lease)
        # With `look_behind`: secondments with more said, free to claim, as their marks were made.
        self.more_said: set[int] = set()

    def delivered(self, due: Due, posted: Posted | None = None) -> None:
        """Slack has taken `due`'s message: record it sent with the next renewal, and where it
        landed if it is a question that may be closed later."""
        self._waiting.append(due)
        if posted is not None and due.kind in CLOSABLE:
            self._posted[due.nudge_id] = posted

    async def renew(self, batch: Sequence[Due], *, renew_at: datetime) -> list[Due]:
        """Mark what was delivered so far and renew the claims on `batch`, in one transaction;
        returns the nudges of `batch` still this sweep's own."""
        waiting, self._waiting = self._waiting, []
        posted, self._posted = self._posted, {}
        renewed = await renew_and_mark(
            self._sessions,
            batch,
            waiting,
            posted=posted,
            now=renew_at,
            sent_at=self._now,
            look_behind=self._look_behind,
        )
        self.marked += [d for d in waiting if d.nudge_id in renewed.marked]
        self.more_said |= renewed.waiting
        return renewed.ours

    async def flush(self) -> None:
        """Mark what is still waiting: the batch has ended."""
        await self.renew([], renew_at=self._now)
