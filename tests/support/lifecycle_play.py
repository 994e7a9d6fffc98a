"""A whole secondment played out through the bot, as its people and the scheduler would: the
request, a block and its reconsideration, the approval, the start, check-ins (one answered with
concerns, one left to be missed), the end-of-term question and a confirmed return, the debrief.
Each step is followed by `settle`, which sweeps until nothing said is waiting."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import or_, select

from bot.domain.kinds import CheckInAnswer
from bot.domain.nudge_catalogue import SAID
from bot.domain.states import Side
from bot.models import Nudge
from bot.slack.ids import Action, Callback
from bot.slack.refs import CheckInRef
from tests.support import forms
from tests.support.flows import approve, block, click_then_submit, ref, request_ref
from tests.support.harness import EMPLOYEE, HOME, HOST, Harness, Thread

START, END = date(2027, 2, 1), date(2027, 4, 30)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in 2027, in UTC."""
    return datetime(2027, month, day, hour, minute, tzinfo=UTC)


async def settle(bot: Harness, now: datetime) -> datetime:
    """Let the bot finish, then sweep at each retry time until nothing it said is waiting, as
    the scheduler would; returns the time reached. (A message due now may wait behind an earlier
    one in its thread that waits for its retry: then the next sweep is at that retry.)"""
    for _ in range(100):
        await bot.handled()
        async with bot.sessions() as session:
            # What a change said, and any nudge waiting to be tried again.
            waiting = (
                await session.scalars(
                    select(Nudge.due_at).where(
                        or_(Nudge.kind.in_(SAID), Nudge.attempts > 0),
                        Nudge.sent_at.is_(None),
                        Nudge.cancelled_at.is_(None),
                    )
                )
            ).all()
        if not waiting:
            return now
        due_now = [due for due in waiting if due <= now]
        now = now if due_now else min(waiting)
        if not await bot.sweep(now) and due_now:
            later = [due for due in waiting if due > now]
            if later:
                now = min(later)
    raise AssertionError("the outbox never emptied")


async def play(bot: Harness, clock: time_machine.Traveller) -> datetime:
    """The whole secondment, each step followed by `settle`; returns when it ended."""
    clock.move_to(at(1, 4, 10))
    values = forms.request_values(home=HOME, host=HOST, start=START, end=END)
    assert (await bot.submit(EMPLOYEE, Callback.REQUEST, values)).status == 200
    await settle(bot, at(1, 4, 10))
    row = await bot.secondment(1)
    assert row.channel_id and row.thread_ts
    thread = Thread(1, row.channel_id, row.thread_ts)

    clock.move_to(at(1, 4, 12))
    await block(bot, HOME, thread, Side.HOME, explanation="Not before the audit closes in Jan.")
    await settle(bot, at(1, 4, 12))
    clock.move_to(at(1, 5, 10))
    await bot.click(HOME, Action.RECONSIDER, ref(thread, Side.HOME), thread)
    await settle(bot, at(1, 5, 10))
    clock.move_to(at(1, 5, 11))
    await approve(bot, HOST, thread, Side.HOST)
    await settle(bot, at(1, 5, 11))

    # The start, then a check-in answered and one left to be marked missed.
    await settle(bot, await swept(bot, at(2, 1, 9)))
    await settle(bot, await swept(bot, at(2, 15, 9)))
    clock.move_to(at(2, 15, 10))
    concerns = CheckInRef(1, 1, CheckInAnswer.CONCERNS)
    await bot.click(EMPLOYEE, Action.CHECK_IN_CONCERNS, concerns, thread)
    opened = await bot.opened_modal(Callback.CHECK_IN)
    await bot.submit(
        EMPLOYEE,
        Callback.CHECK_IN,
        {"check_in_note": {"check_in_note": forms.text("The host lead is never around.")}},
        private_metadata=opened.body["view"]["private_metadata"],
    )
    await settle(bot, at(2, 15, 10))
    await settle(bot, await swept(bot, at(3, 3, 9)))

    # Asked about the end; the employee confirms the return; the debrief completes it.
    await settle(bot, await swept(bot, at(3, 31, 8)))
    clock.move_to(at(3, 31, 10))
    await bot.click(EMPLOYEE, Action.CONFIRM_RETURN, request_ref(thread), thread)
    await settle(bot, at(3, 31, 10))
    await settle(bot, await swept(bot, at(4, 30, 8)))
    clock.move_to(at(4, 30, 15))
    answer = await click_then_submit(
        bot,
        HOME,
        Action.RECORD_DEBRIEF,
        request_ref(thread),
        thread,
        Callback.DEBRIEF,
        forms.debrief_values(),
    )
    assert answer == ""
    return await settle(bot, at(4, 30, 15))


async def swept(bot: Harness, now: datetime) -> datetime:
    """Run the sweep once at `now`; returns `now`."""
    await bot.sweep(now)
    return now
