"""Delivering what the sweep (or a change, right after it) claims: the outbox of what each change
said (the approval thread, replies and announcements, DMs to delegates and HR), reminders to
whoever must decide, escalations to HR, and the messages of a secondment under way.

What is sent and how lives in bot/slack/sends.py; what a failure means, in
bot/slack/failures.py. Here: the claims, their order (one thread's messages in turn), the pace,
and the marks.

In OAuth mode each nudge goes out with the bot token of its secondment's workspace. A workspace
that has uninstalled the app has none, and one whose token Slack refuses cannot be spoken to:
either is paused (bot/services/pauses.py), and its nudges wait, unsent, for the resume.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime
from functools import partial

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.catch_up import WINDOW_PASSED, arrives_late
from bot.domain.kinds import NudgeKind, Posted
from bot.domain.nudge_catalogue import CHANGES_STATE, SILENT
from bot.domain.record import SecondmentRecord
from bot.services.away_handover import sweep_absences
from bot.services.check_in_catch_up import skip_claimed
from bot.services.claim_order import backlog
from bot.services.delivered import hold_for_paused_workspace, mark_failed, mark_sent, release
from bot.services.hr_fallback import hand_over_to_hr, lock_theirs
from bot.services.outbox import (
    LEASE,
    Announce,
    Outgoing,
    claimed_here,
    quiet,
    said_in_thread,
    written_free,
)
from bot.services.pauses import fingerprint
from bot.services.sweep import Due, born_due, claim_due, current_record
from bot.slack.builders.text import BOT_ERROR
from bot.slack.deps import Deps
from bot.slack.failures import (
    CLAIM_LOST,
    DEACTIVATED,
    NOT_FOUND,
    Undelivered,
    gives_up,
    retry_wait,
    who_must_know,
)
from bot.slack.sends import send
from bot.slack.sent_marks import SentMarks
from bot.slack.token_check import NOT_INSTALLED, TOKEN_REFUSED, recheck_paused

log = logging.getLogger(__name__)

# Nudges claimed at a time: a sweep claims batch after batch while a backlog lasts.
BATCH = 200
# A lease with less than this left is renewed before the next group of sends.
RENEW_WITHIN = LEASE / 5
# Claims one change's messages may take right after it: each round sends what the one before
# it made ready (the thread, then the replies in it); a change says at most a few rounds' worth.
ROUNDS = 10


async def deliver_now(client: AsyncWebClient, deps: Deps, record: SecondmentRecord) -> int:
    """Send what the changes to one secondment said, right after the change (after the ack):
    first what the request's changes wrote claimed for it (bot/services/outbox.py
    `claiming`), with `record` as the change left it; then, if some of it had to wait for the
    usual claim or was not delivered, in rounds of claims. Whatever Slack does not take now
    stays in the outbox for the sweep; returns how many were sent.

    A change's thread messages written behind another change's, still being sent, are not
    left to the sweep: that change's marks find them, and its delivery claims them (see
    `_free_behind` in bot/services/delivered.py)."""
    async with deps.sending.delivering:
        sent, rest = await _deliver_claimed(client, deps, record)
        if rest:
            # What these sends say (a given-up message's notice, a thread's confirmation) is
            # written free, for the next round to claim.
            with written_free():
                sent += await _deliver_rounds(client, deps, record.id)
        return sent


async def _deliver_claimed(
    client: AsyncWebClient, deps: Deps, record: SecondmentRecord
) -> tuple[int, bool]:
    """Send the rows this request's changes wrote claimed for `record`'s secondment; returns
    how many were sent, and whether anything is left for the rounds."""
    claims = claimed_here()
    if claims is None:
        return 0, True
    sent, rest = 0, False
    born, held = claims.take(record.id)
    while born:
        now = deps.clock.now()
        batch = [born_due(row, record, claims.token) for row in born]
        marks = SentMarks(deps.sessions, now, look_behind=True)
        leases = {row.nudge_id: row.held_until for row in born}
        delivered = await _send_batch(client, deps, batch, now, leases, marks)
        sent += delivered
        rest |= held or delivered < len(batch) or record.id in marks.more_said
        born, held = claims.take(record.id)
        if any(_drawn_from_record(row.outgoing) for row in born):
            # Said by the sends themselves (the thread opened, a delegate checked): drawn from
            # the record as those changes left it. (A message to a person, written in full,
            # needs only who the secondment's people are, which no change alters.)
            fresh = await current_record(deps.sessions, record, deps.policy)
            if fresh is None:  # erased meanwhile: the sweep finds nothing left to send
                for row in born:
                    await release(deps.sessions, born_due(row, record, claims.token))
                return sent, True
            record = fresh
    return sent, rest or held


def _drawn_from_record(said: Outgoing) -> bool:
    """What is sent for `said` depends on the secondment as it stands: the thread's parent
    redrawn, or a message in the thread (which needs the thread)."""
    return said.kind is not NudgeKind.MESSAGE or said_in_thread(said)


async def _deliver_rounds(client: AsyncWebClient, deps: Deps, secondment_id: int) -> int:
    sent = 0
    for _ in range(ROUNDS):
        # Read afresh each round: a change made meanwhile, and waiting behind this one's
        # messages in the thread, is due by the next round and sent by it.
        now = deps.clock.now()
        batch = await claim_due(
            deps.sessions, now=now, policy=deps.policy, limit=BATCH, secondment_id=secondment_id
        )
        if not batch:
            break
        sent += await _send_batch(client, deps, batch, now)
    return sent


async def send_due_nudges(client: AsyncWebClient, deps: Deps, now: datetime) -> int:
    """Hand decisions over for time away that begins or ends (bot/services/away_handover.py),
    then claim what is due at `now` and send it; returns how many were sent. While a backlog
    lasts, the sweep claims batch after batch for about `sweep_seconds`. The metrics get how late
    the sweep found the oldest due nudge, and `now` once the sweep has run to the end."""
    paused = await recheck_paused(client, deps, now)
    # Time away that ends or begins hands decisions over first, so what that says goes now.
    try:
        await sweep_absences(deps.sessions, deps.say.away, deps.policy, now)
    except SQLAlchemyError:
        # One absence's hand-over failing (each is its own transaction, rolled back whole)
        # must not hold back every message: it is tried again at the next sweep.
        log.exception("handing decisions over for time away failed; sending goes on")
    lag, depth = await backlog(deps.sessions, now=now)
    deps.metrics.sweep_started(lag, depth, len(paused))
    sent = 0
    began = time.monotonic()
    while batch := await claim_due(deps.sessions, now=now, policy=deps.policy, limit=BATCH):
        sent += await _send_batch(client, deps, batch, now)
        if time.monotonic() - began >= deps.sending.sweep_seconds:
            break
    deps.metrics.sweep_finished(now)
    return sent


async def _send_batch(
    client: AsyncWebClient,
    deps: Deps,
    batch: list[Due],
    now: datetime,
    leases: dict[int, datetime] | None = None,
    marks: SentMarks | None = None,
) -> int:
    """Send a claimed batch; returns how many were marked sent. A nudge that changes its
    secondment goes alone, so two never change the same secondment at once. The rest go
    `concurrency` at a time, a new one starting as each finishes; what one thread says goes as
    one unit, in order, and stops at the first failure. Claims are renewed once their lease
    runs short: a group's just before its units take their slots, and each one again just
    before its own send; one another sweep has taken over meanwhile is left to it. What was
    delivered is marked sent with the next renewal, or when the batch ends. `leases` gives the
    claims' leases where they are not `now` + LEASE (those written claimed by a change);
    `marks`, where they are recorded."""
    marks = marks or SentMarks(deps.sessions, now)
    paused: dict[str, str] = {}
    sent = 0
    # Each claim's lease, as this sweep last set it (a claim sets them all to now + LEASE).
    held_until: dict[int, datetime] = dict(leases or {})

    async def still_ours(group: list[Due]) -> list[Due]:
        """The claims on `group`, renewed (with the marks so far) if a lease runs short."""
        at = _renewed_at(deps, now)
        if all(at < held_until.get(d.nudge_id, now + LEASE) - RENEW_WITHIN for d in group):
            return group  # no other sweep can claim them before their leases run out
        ours = await marks.renew(group, renew_at=at)
        held_until.update((d.nudge_id, at + LEASE) for d in ours)
        return ours

    async def send_alone(due: Due) -> bool:
        """`_send`, with a fault of the bot's own (a bug in one message's words, a database
        error in its change) kept to that message: it is recorded as a failed attempt, and
        tried again like one, while the rest of the batch goes on. (If the database cannot
        record even that, the batch ends, and its claims run out for the next sweep.)"""
        try:
            return await _send(client, deps, due, now, marks, paused)
        except Exception:
            log.exception("nudge %s (%s) could not be sent", due.nudge_id, due.kind.value)
            # It may have reached Slack before the fault: Slack is asked before the next try.
            await _failed(deps, due, now, Undelivered(BOT_ERROR, maybe_sent=True))
            return False

    for due in [d for d in batch if d.kind in CHANGES_STATE]:
        for ours in await still_ours([due]):
            sent += await send_alone(ours)
    units = _units([d for d in batch if d.kind not in CHANGES_STATE])
    size = deps.sending.concurrency
    slots = asyncio.Semaphore(size)

    async def send_in_slot(unit: list[Due]) -> None:
        nonlocal sent
        try:
            for position, due in enumerate(unit):
                # A unit can wait long for its slot, and a thread's sends can outlast a lease:
                # each claim is re-checked just before its send. Taken over by another sweep,
                # the thread's next messages are that sweep's.
                if not await still_ours([due]):
                    rest = unit[position:]
                else:
                    opened = due.kind is NudgeKind.THREAD_OPEN
                    if await send_alone(due) and not opened:
                        # Marked as it settled, not with the marks below.
                        sent += due.kind is NudgeKind.DELEGATE_CHECK
                        continue
                    # Behind it in the thread: wait for it, or for a record that knows the
                    # thread just opened (the next round's claim reads it).
                    rest = unit[position + 1 :]
                for later in rest:
                    await release(deps.sessions, later)  # only a claim still this sweep's
                break
        finally:
            slots.release()

    async with asyncio.TaskGroup() as sends:
        for start in range(0, len(units), size):
            group = units[start : start + size]
            renewed = {d.nudge_id for d in await still_ours([d for unit in group for d in unit])}
            for unit in group:
                mine = [d for d in unit if d.nudge_id in renewed]
                if mine:
                    await slots.acquire()
                    sends.create_task(send_in_slot(mine))
    await marks.flush()
    for due in marks.marked:
        deps.metrics.nudge_sent(due.kind)
    return sent + len(marks.marked)


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


async def _send(
    client: AsyncWebClient,
    deps: Deps,
    due: Due,
    now: datetime,
    marks: SentMarks,
    paused: dict[str, str],
) -> bool:
    """Send one nudge and mark it; True if it was delivered (or took effect). `paused` holds
    the workspaces this batch found refused (each with Slack's error), whose other nudges then
    wait without a call."""
    team_id = due.record.team_id
    if due.kind in SILENT:
        # No message: marking it sent is the change (a start, a missed check-in), which goes
        # on whether or not the workspace can be spoken to.
        return await _marked(deps, due, now, marks)
    if team_id in paused:
        await release(deps.sessions, due)  # paused by this batch already: just wait
        return False
    if deps.workspaces is not None:
        # OAuth mode: send with the bot token of the secondment's own workspace.
        installed = await deps.workspaces.client_for(team_id)
        if installed is None:
            await _pause(deps, due, now, NOT_INSTALLED, paused, None)
            return False
        client = installed
    await deps.sending.pace.wait()
    try:
        posted = await send(client, deps, due, now)
    except Undelivered as failure:
        if failure.error == CLAIM_LOST:
            return False  # another sweep has it now
        if failure.error == NOT_FOUND:
            await skip_claimed(deps.sessions, (due.nudge_id, due.claim_token), WINDOW_PASSED, now)
            return False
        if failure.error in TOKEN_REFUSED:
            await _pause(deps, due, now, failure.error, paused, client)
        else:
            await _failed(deps, due, now, failure)
        return False
    return await _marked(deps, due, now, marks, posted)


async def _marked(
    deps: Deps, due: Due, now: datetime, marks: SentMarks, posted: Posted | None = None
) -> bool:
    """Mark a delivered (or silent) nudge sent, with what its marking changes and says; a plain
    message waits in `marks` for the next renewal (with where it landed, `posted`). True if it
    is (or will be) marked by this sweep."""
    if due.kind is NudgeKind.DELEGATE_CHECK:
        deps.metrics.nudge_sent(due.kind)  # marked sent with what it settled
        return True
    if due.kind not in CHANGES_STATE:
        marks.delivered(due, posted)
        return True
    announce: Announce[SecondmentRecord] = quiet
    if due.kind is NudgeKind.DECISION_ESCALATION:
        announce = deps.say.no_decision
    elif due.kind is NudgeKind.SECONDMENT_START:
        # Marked on a later day than the start (after downtime), the thread's note says when.
        late = arrives_late(due.record.terms.start_date, now, due.tz, deps.policy)
        announce = partial(deps.say.started, late=late)
    updated = await mark_sent(deps.sessions, due, now=now, policy=deps.policy, announce=announce)
    if updated is not None:
        deps.metrics.nudge_sent(due.kind)
    return updated is not None


async def _pause(
    deps: Deps,
    due: Due,
    now: datetime,
    error: str,
    paused: dict[str, str],
    refused: AsyncWebClient | None,
) -> None:
    log.warning("delivery to workspace %s paused: %s", due.record.team_id, error)
    paused[due.record.team_id] = error
    await hold_for_paused_workspace(
        deps.sessions,
        due,
        error=error,
        now=now,
        token_fingerprint=fingerprint(refused.token) if refused is not None else None,
    )


async def _failed(deps: Deps, due: Due, now: datetime, failure: Undelivered) -> None:
    error = failure.error
    give_up = gives_up(error, due.attempts)
    deps.metrics.nudge_failed(due.kind, given_up=give_up)
    log.warning(
        "nudge %s (%s) to %s failed (attempt %s): %s",
        due.nudge_id,
        due.kind.value,
        due.recipient_id or due.destination or "HR",
        due.attempts + 1,
        error,
    )
    leaver = due.kind is NudgeKind.DECISION_REMINDER and error in DEACTIVATED

    async def to_hr(session: AsyncSession) -> bool:
        """A decider who has left: what waits on them goes to HR, the fallback approver, in
        the same transaction; its notice replaces the "could not reach" one."""
        assert due.recipient_id is not None
        handed = await hand_over_to_hr(
            session,
            team_id=due.record.team_id,
            person_id=due.recipient_id,
            reason=error,
            announce=deps.say.to_hr_fallback,
            policy=deps.policy,
            now=now,
        )
        return bool(handed)

    await mark_failed(
        deps.sessions,
        due,
        error=error,
        now=now,
        retry_at=None if give_up else now + retry_wait(due.attempts, failure.retry_after),
        maybe_sent=failure.maybe_sent,
        then=who_must_know(deps.say, due, error) if give_up else (),
        instead=to_hr if leaver else None,
        first=partial(lock_theirs, team_id=due.record.team_id, person_id=due.recipient_id or "")
        if leaver
        else None,
    )
