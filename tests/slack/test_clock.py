"""The bot reads the time from its clock alone (bot/clock.py): with a stand-in clock in Deps two
years away from the system's time, what the bot records carries the clock's time.

The system's time is held where every test holds it (`clock` in tests/conftest.py), never read from
the real one, so these tests mean the same on whatever day they run."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.kinds import NudgeKind
from bot.domain.states import Side
from bot.models import Nudge
from bot.scheduler import Sweeper
from bot.slack.delivery import send_due_nudges
from bot.slack_standin.recorded import WAIT_LIMIT
from tests.support.clocks import SetClock
from tests.support.flows import approve, decisions
from tests.support.harness import HOME, Harness
from tests.support.rows import rows

# The bot's time: a Monday two years after the system's (tests/conftest.py's NOW), so a time read
# from the system instead of the bot's clock can never pass for it.
REQUESTED = datetime(2029, 1, 8, 10, 0, tzinfo=UTC)
START, END = date(2029, 2, 5), date(2029, 8, 3)
DECIDED = REQUESTED + timedelta(hours=2)
REMINDED = datetime(2029, 1, 11, 12, 0, tzinfo=UTC)  # Thursday: the third working day


@pytest.fixture
def bot_clock() -> SetClock:
    return SetClock(REQUESTED)


async def test_a_request_and_a_decision_carry_the_clock_s_time(
    bot: Harness, bot_clock: SetClock
) -> None:
    thread = await bot.submit_request(START, END)
    bot_clock.at = DECIDED

    await approve(bot, HOME, thread, Side.HOME)
    await bot.slack.wait_for("chat.update")

    row = await bot.secondment(thread.secondment_id)
    assert (row.created_at, row.round_started_at, row.home_decided_at) == (
        REQUESTED,
        REQUESTED,
        DECIDED,
    )
    assert [d.created_at for d in await decisions(bot)] == [DECIDED]
    stamped = {(e.action, e.at) for e in await bot.audit(thread.secondment_id)}
    assert ("requested", REQUESTED) in stamped and ("home_approved", DECIDED) in stamped
    assert {at for _, at in stamped} == {REQUESTED, DECIDED}


async def test_the_scheduler_s_sweep_sends_and_records_at_the_clock_s_time(
    bot: Harness, bot_clock: SetClock
) -> None:
    await bot.submit_request(START, END)
    await bot.handled()  # the thread and the employee's confirmation go out before the jump
    bot_clock.at = REMINDED
    swept: asyncio.Queue[int] = asyncio.Queue()

    async def sweep(now: datetime) -> None:
        swept.put_nowait(await send_due_nudges(bot.client, bot.deps, now))

    sweeper = Sweeper(sweep, interval=3600, clock=bot.deps.clock)
    sweeper.start()
    sent = await asyncio.wait_for(swept.get(), WAIT_LIMIT)
    await sweeper.stop()

    assert sent == 2  # a reminder to each manager
    reminders = await rows(bot.sessions, Nudge, Nudge.kind == NudgeKind.DECISION_REMINDER)
    assert [n.sent_at for n in reminders if n.sent_at is not None] == [REMINDED, REMINDED]
