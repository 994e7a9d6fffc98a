"""Delivering what the sweep (or a change, right after it) claims: the outbox of what each change
said (the approval thread, replies and announcements, DMs to delegates and HR), reminders to
whoever must decide, escalations to HR, and the messages of a secondment under way.

Here: the claims, a change's right after it and the sweep's batch after batch. A claimed batch
is sent (in order, at a pace, with its marks) by bot/slack/batches.py; each nudge's send and what
becomes of it is bot/slack/outcomes.py's; what is sent and how, bot/slack/sends.py's; what a
failure means, bot/slack/failures.py's.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.domain.kinds import NudgeKind
from bot.domain.record import SecondmentRecord
from bot.services.away_handover import sweep_absences
from bot.services.claim_order import backlog
from bot.services.delivered import release
from bot.services.outbox import Outgoing, claimed_here, said_in_thread, written_free
from bot.services.sweep import born_due, claim_due, current_record
from bot.slack.batches import send_batch
from bot.slack.deps import Deps
from bot.slack.sent_marks import SentMarks
from bot.slack.token_check import recheck_paused

log = logging.getLogger(__name__)

# Nudges claimed at a time: a sweep claims batch after batch while a backlog lasts.
BATCH = 200
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
    `_free_behind` in bot/services/renewals.py)."""
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
        delivered = await send_batch(client, deps, batch, now, leases, marks)
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
    """Claim and send what the changes to one secondment said, round after round, until none
    is left or `ROUNDS` have gone; returns how many were sent."""
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
        sent += await send_batch(client, deps, batch, now)
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
        sent += await send_batch(client, deps, batch, now)
        if time.monotonic() - began >= deps.sending.sweep_seconds:
            break
    deps.metrics.sweep_finished(now)
    return sent
