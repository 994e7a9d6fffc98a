"""How the sweep sends a backlog: several at a time but never more than SEND_CONCURRENCY, batch
after batch within one sweep, paced to SEND_RATE_PER_SECOND, each message marked sent once and
soon after Slack has it (several marks to a transaction)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.nudge_catalogue import SAID
from bot.domain.record import SecondmentRecord
from bot.domain.states import Side, Status
from bot.models import AuditEvent, Nudge
from bot.services.outbox import LEASE
from bot.services.renewals import renew
from bot.services.sweep import Due, claim_due
from bot.slack.builders.messages import Message
from bot.slack.builders.ways_forward import build_decision_reminder
from bot.slack.client import retry_handlers
from bot.slack.delivery import BATCH, send_due_nudges
from bot.slack.pacing import Pace, Sending
from bot.slack.sent_marks import SentMarks
from tests.support.flows import approve
from tests.support.harness import EMPLOYEE, HOME, Harness
from tests.support.rows import rows
from tests.support.seeds import AT, Spec, counting, due_reminders, seed
from tests.support.standin import BOT_TOKEN

SWEEP_AT = AT + timedelta(hours=1)


class CountingClient(AsyncWebClient):
    """Counts the Web API calls on their way at once, and the most there ever were."""

    def __init__(self, base_url: str) -> None:
        super().__init__(token=BOT_TOKEN, base_url=base_url, retry_handlers=retry_handlers())
        self.in_flight = self.most_in_flight = 0

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            return await super().api_call(api_method, **kwargs)
        finally:
            self.in_flight -= 1


async def backlog(bot: Harness, count: int) -> list[int]:
    """`count` requests waiting for the home manager, each with a reminder due at `AT`."""
    ids = await seed(bot.sessions, [Spec(EMPLOYEE, Status.PENDING)] * count)
    await due_reminders(bot.sessions, ids)
    return ids


async def sent_once(bot: Harness, ids: list[int]) -> None:
    """Every secondment's reminder went to Slack once, is marked sent once, audited once."""
    reminders = bot.slack.sent("chat.postMessage", channel=HOME)
    assert len(reminders) == len(ids)
    async with bot.sessions() as session:
        nudges = (await session.scalars(select(Nudge))).all()
        audited = (
            await session.scalars(
                select(AuditEvent).where(AuditEvent.action == "nudge_sent_decision_reminder")
            )
        ).all()
    assert {(n.sent_at, n.attempts, n.claimed_until) for n in nudges} == {(SWEEP_AT, 1, None)}
    # A multiset comparison: an audit event's secondment_id is optional, so not sortable.
    assert Counter(e.secondment_id for e in audited) == Counter(ids)


@pytest.mark.settings(send_concurrency=3)
async def test_a_backlog_goes_out_in_one_sweep_several_at_a_time_never_more_than_the_setting(
    bot: Harness,
) -> None:
    ids = await backlog(bot, 2 * BATCH + 50)
    client = CountingClient(bot.slack.api_url)
    # However slow the machine, the sweep's time is not up before the backlog is.
    deps = dataclasses.replace(bot.deps, sending=Sending(concurrency=3, sweep_seconds=3600))

    assert await send_due_nudges(client, deps, SWEEP_AT) == len(ids)  # three batches

    assert client.most_in_flight == 3
    await sent_once(bot, ids)
    assert await send_due_nudges(client, deps, SWEEP_AT) == 0


async def test_a_sweep_stops_claiming_once_its_time_is_up_and_the_next_goes_on(
    bot: Harness,
) -> None:
    ids = await backlog(bot, BATCH + 20)
    deps = dataclasses.replace(bot.deps, sending=Sending(concurrency=4, sweep_seconds=0))

    assert await send_due_nudges(bot.client, deps, SWEEP_AT) == BATCH  # one batch, then stops
    assert await send_due_nudges(bot.client, deps, SWEEP_AT) == 20
    await sent_once(bot, ids)


class GatedPace(Pace):
    """A pace whose turns are given by the test: it counts the sends waiting for one."""

    def __init__(self) -> None:
        super().__init__(rate=0)
        self.waiting = 0
        self.asked = asyncio.Event()  # set whenever another send starts waiting
        self.open = asyncio.Event()

    async def wait(self) -> None:
        self.waiting += 1
        self.asked.set()
        await self.open.wait()


async def test_every_send_waits_for_its_turn_at_the_pace(bot: Harness) -> None:
    """How the turns are spaced is tests/slack/test_pacing.py; here, that no send skips one."""
    ids = await backlog(bot, 12)
    pace = GatedPace()
    deps = dataclasses.replace(bot.deps, sending=Sending(concurrency=4, pace=pace))

    sweep = asyncio.create_task(send_due_nudges(bot.client, deps, SWEEP_AT))
    while pace.waiting < 4 and not sweep.done():  # as many as may be on their way at once
        pace.asked.clear()
        asked = asyncio.create_task(pace.asked.wait())
        await asyncio.wait([sweep, asked], return_when=asyncio.FIRST_COMPLETED)
        asked.cancel()
    assert not sweep.done()  # it waits for the pace...
    assert bot.slack.sent("chat.postMessage") == []  # ...and none has gone before its turn

    pace.open.set()
    assert await sweep == len(ids)
    assert pace.waiting == len(ids)  # one turn a send
    await sent_once(bot, ids)


async def test_delivered_messages_are_marked_with_the_next_renewal_in_one_transaction(
    bot: Harness, engine: AsyncEngine
) -> None:
    await backlog(bot, 5)
    first, second, third, fourth, fifth = await claim_due(
        bot.sessions, now=SWEEP_AT, policy=bot.deps.policy
    )
    marks = SentMarks(bot.sessions, SWEEP_AT)
    assert await marks.renew([first, second, third], renew_at=SWEEP_AT) == [first, second, third]
    for due in (first, second, third):
        marks.delivered(due)

    with counting(engine) as statements:
        assert await marks.renew([fourth, fifth], renew_at=SWEEP_AT) == [fourth, fifth]

    # One transaction: the three marked sent, with their audit events, and the next two renewed.
    assert [s.split()[0] for s in statements if not s.startswith("BEGIN")] == [
        "UPDATE",
        "INSERT",
        "UPDATE",
    ]
    assert [d.nudge_id for d in marks.marked] == [first.nudge_id, second.nudge_id, third.nudge_id]
    marks.delivered(fourth)
    marks.delivered(first)  # marked already: not again
    await marks.flush()
    assert [d.nudge_id for d in marks.marked][3:] == [fourth.nudge_id]
    sent = await rows(bot.sessions, Nudge, Nudge.sent_at.is_not(None))
    assert sorted(n.id for n in sent) == sorted(d.nudge_id for d in (first, second, third, fourth))
    assert {(n.attempts, n.claimed_until, n.maybe_sent) for n in sent} == {(1, None, False)}


async def test_a_claim_another_sweep_took_is_not_renewed(bot: Harness) -> None:
    await backlog(bot, 2)
    mine = await claim_due(bot.sessions, now=SWEEP_AT, policy=bot.deps.policy)
    # This sweep stalls past its lease; another claims one of the two.
    later = SWEEP_AT + LEASE + timedelta(seconds=1)
    (taken,) = await claim_due(bot.sessions, now=later, policy=bot.deps.policy, limit=1)

    still_mine = await renew(bot.sessions, mine, now=later)

    assert [d.nudge_id for d in still_mine] == [
        d.nudge_id for d in mine if d.nudge_id != taken.nudge_id
    ]
    assert await renew(bot.sessions, [taken], now=later) == [taken]


async def another_sweep_takes_over(
    bot: Harness, clock: time_machine.Traveller, at: datetime
) -> tuple[asyncio.Task[int], list[Due]]:
    """A sweep at `at` whose first post Slack holds past the lease, while another sweep claims
    what is due; returns the slow sweep, on its way again, and the other's claims."""
    clock.move_to(at)
    held = bot.slack.hold_next("chat.postMessage")
    slow = asyncio.create_task(send_due_nudges(bot.client, bot.deps, at))
    await bot.slack.wait_until(lambda: bool(bot.slack.held))
    clock.move_to(at + LEASE + timedelta(seconds=1))
    taken = await claim_due(bot.sessions, now=bot.deps.clock.now(), policy=bot.deps.policy)
    held.set()
    return slow, taken


async def test_a_sweep_slowed_past_its_lease_leaves_the_rest_of_a_thread_to_the_sweep_that_took_it(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    """Slack holds a thread's reply past the lease; another sweep claims what the thread still
    says. The slow sweep's reply was on its way and arrives, but the redraw behind it is left
    to the other sweep: nothing goes twice."""
    thread = await bot.submit_request(date(2027, 2, 1), date(2027, 7, 30))
    bot.slack.fail_next("chat.postMessage", "service_unavailable", status=503)
    await approve(bot, HOME, thread, Side.HOME)
    await bot.handled()
    waiting = await rows(bot.sessions, Nudge, Nudge.sent_at.is_(None), Nudge.kind.in_(SAID))
    reply, redraw = sorted(waiting, key=lambda n: n.id)
    at = max(reply.due_at, bot.deps.clock.now())
    slow, taken = await another_sweep_takes_over(bot, clock, at)
    assert sorted(d.nudge_id for d in taken) == [reply.id, redraw.id]

    assert await slow == 1
    assert bot.slack.sent("chat.update") == []
    (row,) = await rows(bot.sessions, Nudge, Nudge.id == redraw.id)
    assert (row.sent_at, row.claim_token) == (None, taken[1].claim_token)


@pytest.mark.settings(send_concurrency=1)
async def test_a_message_that_waited_past_its_lease_for_a_slot_is_left_to_the_sweep_that_took_it(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    """One send at a time: the second reminder waits for the first, which Slack holds past the
    lease; meanwhile another sweep claims the second. The slow sweep then leaves it."""
    await backlog(bot, 2)
    slow, taken = await another_sweep_takes_over(bot, clock, SWEEP_AT)
    assert len(taken) == 2  # the first on its way, and the second, which has not left

    assert await slow == 1
    assert len(bot.slack.sent("chat.postMessage", channel=HOME)) == 1
    (left,) = await rows(bot.sessions, Nudge, Nudge.sent_at.is_(None))
    assert left.claim_token == taken[0].claim_token  # still the other sweep's to send


async def test_a_fault_of_the_bots_own_with_one_message_leaves_the_rest_of_the_batch_sent(
    bot: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    bot.expect_errors = True  # the fault is logged, with its traceback
    ids = await backlog(bot, 3)

    def broken(record: SecondmentRecord, side: Side, sequence: int) -> Message:
        if record.id == ids[1]:
            raise RuntimeError("a bug in one message")
        return build_decision_reminder(record, side, sequence)

    monkeypatch.setattr("bot.slack.sends.build_decision_reminder", broken)

    assert await send_due_nudges(bot.client, bot.deps, SWEEP_AT) == 2

    assert len(bot.slack.sent("chat.postMessage", channel=HOME)) == 2
    (failed,) = await rows(bot.sessions, Nudge, Nudge.sent_at.is_(None))
    assert (failed.secondment_id, failed.attempts, failed.last_error) == (ids[1], 1, "bot_error")
    assert (failed.claimed_until, failed.cancelled_at, failed.maybe_sent) == (None, None, True)
    assert failed.due_at > SWEEP_AT  # tried again later
    assert any(r.exc_info and "a bug in one message" in str(r.exc_info[1]) for r in caplog.records)
