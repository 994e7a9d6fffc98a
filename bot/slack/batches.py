"""A claimed batch, sent: in which order and how many at a time, with each claim renewed before
its lease runs short and each delivered message's mark recorded with the next renewal.

A nudge that changes its secondment goes alone, so two never change the same secondment at once.
The rest go `concurrency` at a time, a new one starting as each finishes; what one thread says
goes as one unit, in order, and stops at the first failure. What becomes of each nudge is
bot/slack/outcomes.py's.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.kinds import NudgeKind
from bot.domain.nudge_catalogue import CHANGES_STATE
from bot.services.delivered import release
from bot.services.outbox import LEASE
from bot.services.sweep import Due
from bot.slack.builders.text import BOT_ERROR
from bot.slack.deps import Deps
from bot.slack.failures import Undelivered
from bot.slack.outcomes import record_failure, send_one
from bot.slack.sent_marks import SentMarks

log = logging.getLogger(__name__)

# A lease with less than this left is renewed before the next group of sends.
RENEW_WITHIN = LEASE / 5


async def send_batch(
    client: AsyncWebClient,
    deps: Deps,
    batch: list[Due],
    now: datetime,
    leases: dict[int, datetime] | None = None,
    marks: SentMarks | None = None,
) -> int:
    """Send a claimed batch; returns how many were marked sent. Claims are renewed once their
    lease runs short: a group's just before its units take their slots, and each one again just
    before its own send; one another sweep has taken over meanwhile is left to it. What was
    delivered is marked sent with the next renewal, or when the batch ends. `leases` gives the
    claims' leases where they are not `now` + LEASE (those written claimed by a change);
    `marks`, where they are recorded."""
    marks = marks or SentMarks(deps.sessions, now)
    sending = _Batch(client, deps, now, marks, leases)
    for due in [d for d in batch if d.kind in CHANGES_STATE]:
        for ours in await sending.still_ours([due]):
            sending.sent += await sending.send_alone(ours)
    await sending.send_units(_units([d for d in batch if d.kind not in CHANGES_STATE]))
    await marks.flush()
    for due in marks.marked:
        deps.metrics.nudge_sent(due.kind)
    return sending.sent + len(marks.marked)


class _Batch:
    """One batch on its way: the claims' leases as this sweep last set them, the workspaces it
    found refused, and how many of its nudges were sent and marked as they settled."""

    def __init__(
        self,
        client: AsyncWebClient,
        deps: Deps,
        now: datetime,
        marks: SentMarks,
        leases: dict[int, datetime] | None,
    ) -> None:
        self.client = client
        self.deps = deps
        self.now = now
        self.marks = marks
        self.paused: dict[str, str] = {}
        self.sent = 0
        # Each claim's lease, as this sweep last set it (a claim sets them all to now + LEASE).
        self.held_until: dict[int, datetime] = dict(leases or {})

    async def still_ours(self, group: list[Due]) -> list[Due]:
        """The claims on `group`, renewed (with the marks so far) if a lease runs short."""
        now = self.now
        at = _renewed_at(self.deps, now)
        if all(at < self.held_until.get(d.nudge_id, now + LEASE) - RENEW_WITHIN for d in group):
            return group  # no other sweep can claim them before their leases run out
        ours = await self.marks.renew(group, renew_at=at)
        self.held_until.update((d.nudge_id, at + LEASE) for d in ours)
        return ours

    async def send_alone(self, due: Due) -> bool:
        """`send_one`, with a fault of the bot's own (a bug in one message's words, a database
        error in its change) kept to that message: it is recorded as a failed attempt, and
        tried again like one, while the rest of the batch goes on. (If the database cannot
        record even that, the batch ends, and its claims run out for the next sweep.)"""
        try:
            return await send_one(self.client, self.deps, due, self.now, self.marks, self.paused)
        except Exception:
            log.exception("nudge %s (%s) could not be sent", due.nudge_id, due.kind.value)
            # It may have reached Slack before the fault: Slack is asked before the next try.
            await record_failure(self.deps, due, self.now, Undelivered(BOT_ERROR, maybe_sent=True))
            return False

    async def send_units(self, units: list[list[Due]]) -> None:
        """Send `units` `concurrency` at a time, a new one starting as each finishes; a group's
        claims are renewed just before its units take their slots."""
        size = self.deps.sending.concurrency
        slots = asyncio.Semaphore(size)
        async with asyncio.TaskGroup() as sends:
            for start in range(0, len(units), size):
                group = units[start : start + size]
                claims = [d for unit in group for d in unit]
                renewed = {d.nudge_id for d in await self.still_ours(claims)}
                for unit in group:
                    mine = [d for d in unit if d.nudge_id in renewed]
                    if mine:
                        await slots.acquire()
                        sends.create_task(self._send_in_slot(mine, slots))

    async def _send_in_slot(self, unit: list[Due], slots: asyncio.Semaphore) -> None:
        """Send one unit in order, stopping at the first that is not delivered (or that opens
        the thread): the claims behind it are handed back."""
        try:
            for position, due in enumerate(unit):
                # A unit can wait long for its slot, and a thread's sends can outlast a lease:
                # each claim is re-checked just before its send. Taken over by another sweep,
                # the thread's next messages are that sweep's.
                if not await self.still_ours([due]):
                    rest = unit[position:]
                else:
                    opened = due.kind is NudgeKind.THREAD_OPEN
                    if await self.send_alone(due) and not opened:
                        # Marked as it settled, not with the marks below.
                        self.sent += due.kind is NudgeKind.DELEGATE_CHECK
                        continue
                    # Behind it in the thread: wait for it, or for a record that knows the
                    # thread just opened (the next round's claim reads it).
                    rest = unit[position + 1 :]
                for later in rest:
                    await release(self.deps.sessions, later)  # only a claim still this sweep's
                break
        finally:
            slots.release()


def _units(plain: list[Due]) -> list[list[Due]]:
    """One unit per nudge, but one per thread for what is said in a thread, in order."""
    threads: dict[int, list[Due]] = {}
    units: list[list[Due]] = []
    for due in plain:
        if not due.in_thread:
            units.append([due])
        elif due.record.id in threads:
            threads[due.record.id].append(due)
        else:
            units.append(threads.setdefault(due.record.id, [due]))
    for unit in threads.values():
        unit.sort(key=lambda d: d.nudge_id)
    return units


def _renewed_at(deps: Deps, now: datetime) -> datetime:
    # The sweep's `now` is fixed when it starts; a long batch renews from the clock.
    return max(now, deps.clock.now())
