"""A secondment after long downtime, end to end: twelve weeks (Monday 1 February to Friday 23
April 2027), approved and started, then the bot stopped for ten weeks and restarted on Monday
12 April. By then check-ins 1 to 4 and the first end-of-term ask (Wednesday 24 March) had all
fallen due unsent. The rules are in bot/domain/catch_up.py."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine

from bot.domain.kinds import CheckInAnswer
from bot.slack.ids import Action, Callback
from bot.slack.refs import CheckInRef
from bot.slack_standin.recorded import Call
from tests.support import forms
from tests.support.flows import approved, request_ref
from tests.support.harness import EMPLOYEE, HOME, HOST, Harness

START, END = date(2027, 2, 1), date(2027, 4, 23)
HR = "U0HRPERSON"


def at(month: int, day: int, hour: int) -> datetime:
    return datetime(2027, month, day, hour, tzinfo=UTC)


def dms_to(bot: Harness, user: str) -> list[Call]:
    return [c for c in bot.slack.sent("chat.postMessage", channel=user) if c.error is None]


def buttons(message: dict[str, Any]) -> list[str]:
    blocks = message.get("blocks") or []
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    return [e["action_id"] for b in blocks for e in b.get("elements") or [] if "action_id" in e]


def in_dm(bot: Harness, user: str, ts: str) -> dict[str, Any]:
    """A message as it now stands in `user`'s DM with the bot (updates applied)."""
    (message,) = [m for m in bot.slack.posted(user) if m["ts"] == ts]
    return message


@pytest.mark.settings(hr_users=HR)
async def test_ten_weeks_down_then_one_message_no_false_miss_and_every_answer_closed(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    bot.slack.add_user(HR)
    thread = await approved(bot, START, END)
    await bot.sweep(at(2, 1, 9))  # the start: the welcome
    before = {person: len(dms_to(bot, person)) for person in (EMPLOYEE, HOME, HOST)}

    await bot.sweep(at(4, 12, 10))  # back after ten weeks
    await bot.sweep(at(4, 12, 11))

    # The employee gets one message: the end-of-term ask, read as a first ask. The check-in of
    # the day waits for the next working day; the four before it were never asked.
    (ask,) = dms_to(bot, EMPLOYEE)[before[EMPLOYEE] :]
    assert "Secondment #1 ends on Fri 23 Apr 2027" in ask.text
    assert "still" not in ask.text.lower()
    for manager in (HOME, HOST):
        (theirs,) = dms_to(bot, manager)[before[manager] :]
        assert "ends on Fri 23 Apr 2027" in theirs.text and "still" not in theirs.text.lower()

    # Nothing counts as missed that was never asked: the status and HR's report agree.
    _, status = await bot.command(EMPLOYEE, f"status {thread.secondment_id}")
    assert "missed" not in (await bot.reply_to(status)).blocks_text
    _, report = await bot.command(HR, "report")
    assert "Missed: *0*" in (await bot.reply_to(report)).blocks_text

    await bot.sweep(at(4, 13, 9))  # the next working day: check-in 5, the current one
    (question,) = dms_to(bot, EMPLOYEE)[before[EMPLOYEE] + 1 :]
    assert "check-in 5" in question.text
    (posted,) = [m for m in bot.slack.posted(EMPLOYEE) if "check-in 5" in m["text"]]
    assert buttons(posted)

    # Each answer is recorded, its message loses its buttons, and whoever answered is told.
    clock.move_to(at(4, 13, 10))
    on_track = CheckInRef(thread.secondment_id, 5, CheckInAnswer.ON_TRACK)
    await bot.click(EMPLOYEE, Action.CHECK_IN_ON_TRACK, on_track, thread)
    opened = await bot.opened_modal(Callback.CHECK_IN)
    await bot.submit(
        EMPLOYEE,
        Callback.CHECK_IN,
        {"check_in_note": {"check_in_note": forms.text(None)}},
        private_metadata=opened.body["view"]["private_metadata"],
    )
    await bot.handled()
    (thanks,) = dms_to(bot, EMPLOYEE)[before[EMPLOYEE] + 2 :]
    assert "check-in 5 recorded as On track" in thanks.text
    assert buttons(in_dm(bot, EMPLOYEE, str(posted["ts"]))) == []

    await bot.click(EMPLOYEE, Action.CONFIRM_RETURN, request_ref(thread), thread)
    await bot.handled()
    told = [c for c in bot.thread_replies(thread) if "confirmed the return" in c.text]
    assert len(told) == 1  # in the approval thread, which the employee is one of the three in
    for person in (EMPLOYEE, HOME, HOST):
        asked = [m for m in bot.slack.posted(person) if "ends on Fri 23 Apr 2027" in m["text"]]
        assert asked and all(buttons(m) == [] for m in asked), asked
