"""Events out to the HR system, as its receiver sees them: people act through Slack's wire
format, the sweep sends, and a receiver on 127.0.0.1 gets one signed CloudEvents event per
state change, in order, each id once, even after it was down for a minute."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from cloudevents.core.bindings.http import HTTPMessage, from_http_event
from pydantic import SecretStr
from sqlalchemy import select

from bot import runtime
from bot.domain.states import Outcome, Side
from bot.models import OutgoingEvent
from bot.runtime import running
from bot.services.decide import decide
from bot.services.events_out import forget_sent_events
from bot.services.outbox import quiet
from bot.settings import load_settings
from bot.slack.ids import Action, Callback
from bot.slack_standin.recorded import WAIT_LIMIT
from bot.webhook import Webhook, send_due_events
from tests.conftest import NOW
from tests.support import forms, wire
from tests.support.actors import as_actor
from tests.support.flows import approve, ref
from tests.support.harness import EMPLOYEE, HOME, HOST, OUTSIDER, Harness
from tests.support.receiver import Received, Receiver
from tests.support.standin import BOT_TOKEN, SlackStandIn

SECRET = "a-secret-the-hr-system-shares"
START, END = date(2027, 2, 1), date(2027, 7, 30)
SECOND = timedelta(seconds=1)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    await receiver.start()
    yield receiver
    await receiver.close()


@pytest.fixture
def extra_settings(receiver: Receiver) -> dict[str, Any]:
    return {"webhook_url": receiver.url, "webhook_secret": SECRET}


@pytest.fixture
async def webhook(receiver: Receiver) -> AsyncIterator[Webhook]:
    """The bot's sender, set up as WEBHOOK_URL and WEBHOOK_SECRET set it up."""
    async with aiohttp.ClientSession() as http:
        yield Webhook(receiver.url, SecretStr(SECRET), http)


def verified(received: Received) -> dict[str, Any]:
    """The event, once its signature is checked as the README tells a receiver to, and it is
    read by the CloudEvents SDK as any receiver would."""
    expected = "sha256=" + hmac.new(SECRET.encode(), received.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(received.headers["X-Signature-256"], expected)
    assert received.headers["Content-Type"].startswith("application/cloudevents+json")
    parsed = received.event
    event = from_http_event(HTTPMessage(received.headers, received.body))
    assert event.get_specversion() == "1.0"
    assert event.get_attributes() == {k: v for k, v in parsed.items() if k != "data"} | {
        "time": event.get_time()
    }
    assert event.get_data() == parsed["data"]
    return parsed


async def stored(bot: Harness) -> list[OutgoingEvent]:
    async with bot.sessions() as session:
        return list(await session.scalars(select(OutgoingEvent).order_by(OutgoingEvent.id)))


async def test_each_state_change_reaches_the_hr_system_signed_once_in_order(
    bot: Harness, receiver: Receiver, webhook: Webhook
) -> None:
    thread = await bot.submit_request(START, END)
    await approve(bot, HOME, thread, Side.HOME)
    await approve(bot, HOST, thread, Side.HOST)
    await bot.handled()
    now = bot.deps.clock.now()

    assert await send_due_events(webhook, bot.sessions, now) == 4

    events = [verified(r) for r in receiver.received]
    assert [e["type"] for e in events] == [
        "secondment.requested",
        "secondment.home_approved",
        "secondment.host_approved",
        "secondment.approved",
    ]
    assert len({e["id"] for e in events}) == 4
    last = events[-1]
    assert last["source"] == f"urn:secondment-mediator:team:{bot.team_id}"
    assert last["subject"] == f"secondments/{thread.secondment_id}"
    assert last["data"] == {
        "secondment_id": thread.secondment_id,
        "team_id": bot.team_id,
        "state": "approved",
        "home_decision": "approved",
        "host_decision": "approved",
        "terms_version": 1,
        "start_date": START.isoformat(),
        "end_date": END.isoformat(),
        "employee_id": EMPLOYEE,
        "home_manager_id": HOME,
        "host_manager_id": HOST,
        "actor_id": HOST,
    }
    # Each event tells the state as its own change left it.
    assert [e["data"]["state"] for e in events] == ["pending", "pending", "approved", "approved"]
    assert datetime.fromisoformat(events[0]["time"]) <= now
    # Sent once: the next sweep has nothing to send.
    assert await send_due_events(webhook, bot.sessions, now + SECOND) == 0
    assert len(receiver.received) == 4
    assert {(e.attempts, e.sent_at) for e in await stored(bot)} == {(1, now)}


async def test_events_wait_out_a_receiver_down_for_a_minute_then_arrive_in_order_once(
    bot: Harness, receiver: Receiver, webhook: Webhook
) -> None:
    await receiver.down()
    thread = await bot.submit_request(START, END)
    await bot.handled()
    down_at = bot.deps.clock.now()

    assert await send_due_events(webhook, bot.sessions, down_at) == 0
    (waiting,) = await stored(bot)
    assert (waiting.attempts, waiting.sent_at) == (1, None)
    assert waiting.last_error == "ClientConnectorError"
    assert waiting.due_at == down_at + timedelta(seconds=10)
    # Tried again once it is due, still down; the home manager approves meanwhile.
    assert await send_due_events(webhook, bot.sessions, down_at + 30 * SECOND) == 0
    await approve(bot, HOME, thread, Side.HOME)
    await bot.handled()
    # Nothing goes before its turn: the approval waits behind the request.
    assert await send_due_events(webhook, bot.sessions, down_at + 40 * SECOND) == 0
    (request, approval) = await stored(bot)
    assert (request.attempts, approval.attempts) == (2, 0)

    assert request.due_at == down_at + 50 * SECOND  # 30 s, and 20 s after the second try

    await receiver.up()
    back = down_at + 60 * SECOND
    assert await send_due_events(webhook, bot.sessions, back) == 2

    events = [verified(r) for r in receiver.received]
    assert [e["type"] for e in events] == ["secondment.requested", "secondment.home_approved"]
    assert [e["id"] for e in events] == [request.event_id, approval.event_id]
    assert await send_due_events(webhook, bot.sessions, back + 60 * SECOND) == 0
    assert len(receiver.received) == 2


async def test_delivered_events_are_kept_a_month_and_waiting_ones_until_delivered(
    bot: Harness, receiver: Receiver, webhook: Webhook
) -> None:
    thread = await bot.submit_request(START, END)
    await bot.handled()
    now = bot.deps.clock.now()
    assert await send_due_events(webhook, bot.sessions, now) == 1
    await receiver.down()
    await approve(bot, HOME, thread, Side.HOME)
    await bot.handled()
    assert await send_due_events(webhook, bot.sessions, now) == 0

    assert await forget_sent_events(bot.sessions, now=now + timedelta(days=30)) == 0
    assert await forget_sent_events(bot.sessions, now=now + timedelta(days=30, seconds=1)) == 1
    (waiting,) = await stored(bot)
    assert (waiting.type, waiting.sent_at) == ("secondment.home_approved", None)


async def test_a_sender_out_of_time_leaves_the_rest_for_the_next_sweep(
    bot: Harness, receiver: Receiver, webhook: Webhook
) -> None:
    """However slow the receiver, a sweep sends for about SWEEP_INTERVAL_SECONDS and no more:
    the nudges wait for the sweep to end."""
    thread = await bot.submit_request(START, END)
    await approve(bot, HOME, thread, Side.HOME)
    await bot.handled()
    now = bot.deps.clock.now()

    assert await send_due_events(webhook, bot.sessions, now, budget_seconds=0) == 0
    assert receiver.received == []
    # What it claimed is free again at once, not after its lease.
    assert await send_due_events(webhook, bot.sessions, now) == 2
    assert [verified(r)["type"] for r in receiver.received] == [
        "secondment.requested",
        "secondment.home_approved",
    ]


@pytest.mark.parametrize("refusal", [503, 400, 307])
async def test_an_event_the_receiver_refuses_comes_again_with_the_same_id_and_bytes(
    bot: Harness, receiver: Receiver, webhook: Webhook, refusal: int
) -> None:
    receiver.answers = [refusal]
    await bot.submit_request(START, END)
    await bot.handled()
    now = bot.deps.clock.now()

    assert await send_due_events(webhook, bot.sessions, now) == 0
    (event,) = await stored(bot)
    assert event.last_error == f"HTTP {refusal}"
    assert await send_due_events(webhook, bot.sessions, now + 10 * SECOND) == 1

    first, again = receiver.received
    assert first.body == again.body
    assert first.headers["X-Signature-256"] == again.headers["X-Signature-256"]
    assert verified(again)["id"] == event.event_id


async def test_an_action_refused_says_nothing_to_the_hr_system(
    bot: Harness, receiver: Receiver, webhook: Webhook
) -> None:
    thread = await bot.submit_request(START, END)
    await bot.handled()
    before = len(await stored(bot))

    response, _ = await bot.click(OUTSIDER, Action.APPROVE, ref(thread, Side.HOME), thread)
    assert response.status == 200
    await bot.handled()

    assert len(await stored(bot)) == before == 1


async def test_two_senders_at_once_send_each_event_once_in_order(
    bot: Harness, receiver: Receiver, webhook: Webhook
) -> None:
    for n in range(5):
        employee, home, host = (bot.slack.add_user(f"U0{role}{n:03d}") for role in "EMH")
        await bot.submit_request(START, END, employee=employee, home=home, host=host)
    await bot.handled()
    now = bot.deps.clock.now()

    async with aiohttp.ClientSession() as http:
        other = Webhook(receiver.url, SecretStr(SECRET), http)
        sent = await asyncio.gather(
            send_due_events(webhook, bot.sessions, now), send_due_events(other, bot.sessions, now)
        )

    assert sum(sent) == 5
    ids = [verified(r)["id"] for r in receiver.received]
    assert ids == [e.event_id for e in await stored(bot)]


class _StillClock:
    def now(self) -> datetime:
        return NOW


async def test_the_serving_bots_sweep_sends_the_events(
    tmp_path: Path, slack: SlackStandIn, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bot as `serve` runs it: its scheduler's sweep posts the event of a request submitted
    over HTTP to WEBHOOK_URL, signed with WEBHOOK_SECRET."""
    # Shutdown waits for every task in the process; here that includes the stand-in's handlers
    # of the connections the bot keeps open to it, which last until they idle out.
    monkeypatch.setattr(runtime, "SHUTDOWN_GRACE_SECONDS", 0.5)
    settings = load_settings(
        _env_file=None,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=wire.SIGNING_SECRET,
        slack_api_url=slack.api_url,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        webhook_url=receiver.url,
        webhook_secret=SECRET,
        sweep_interval_seconds=0.05,
    )
    async with running(settings, clock=_StillClock(), host="127.0.0.1", port=0) as bot:
        # As the harness does (tests/conftest.py `bot`): on a loaded machine the form's ack can
        # outlast Slack's 3 seconds, and this test checks the event, not how fast the ack is.
        for listener in bot.bolt._async_listeners:
            listener.ack_timeout = int(3 * WAIT_LIMIT)
        body = wire.view_submission(
            EMPLOYEE,
            Callback.REQUEST,
            forms.request_values(home=HOME, host=HOST, start=START, end=END),
            view_id="V0REQUEST",
        )
        async with aiohttp.ClientSession() as http:
            response = await http.post(
                f"http://127.0.0.1:{bot.port}/slack/events", data=body, headers=wire.sign(body)
            )
            assert response.status == 200
        (received,) = await receiver.wait_for(1)

    event = verified(received)
    assert (event["type"], event["time"]) == ("secondment.requested", "2027-01-04T10:00:00Z")
    assert event["data"]["employee_id"] == EMPLOYEE


async def test_changes_committing_at_once_while_a_sender_sends_arrive_each_once_in_id_order(
    bot: Harness, receiver: Receiver, webhook: Webhook
) -> None:
    """Many approvals commit side by side while the sender runs: an event is never sent before
    one with a lower id that commits after it (on PostgreSQL, writers of events take turns
    from their write to their commit), so the receiver sees every event once, in id order."""
    threads = []
    for n in range(6):
        employee, home, host = (bot.slack.add_user(f"U0{role}{n:03d}") for role in "EMH")
        threads.append(
            (
                await bot.submit_request(START, END, employee=employee, home=home, host=host),
                home,
                host,
            )
        )
    await bot.handled()
    now = bot.deps.clock.now()

    async def approving(thread: Any, side: Side, user: str) -> None:
        await decide(
            bot.sessions,
            ref=ref(thread, side),
            outcome=Outcome.APPROVED,
            announce=quiet,
            actor=as_actor(user, team=bot.team_id, now=now, policy=bot.deps.policy),
        )

    async def sending() -> None:
        for _ in range(30):
            await send_due_events(webhook, bot.sessions, now)
            await asyncio.sleep(0)

    await asyncio.gather(
        sending(),
        *(approving(t, Side.HOME, home) for t, home, _ in threads),
        *(approving(t, Side.HOST, host) for t, _, host in threads),
    )
    await send_due_events(webhook, bot.sessions, now)

    ids = [verified(r)["id"] for r in receiver.received]
    assert len(ids) == 6 * 4  # requested, two approvals and approved, for each
    assert ids == [e.event_id for e in await stored(bot)]
