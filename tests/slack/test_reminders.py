"""Reminders for pending decisions, end to end: sent by the sweep at the start of the working day
where each recipient is, once each, stopped by a decision, escalated to HR after the configured
working days, retried or routed to HR when Slack cannot deliver them. The clock is moved, never
waited for: the sweep runs at an explicit moment."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from sqlalchemy import insert, select

from bot.domain.kinds import NudgeKind
from bot.domain.states import Side
from bot.models import Escalation, Nudge
from bot.slack.ids import Action
from bot.slack_standin.recorded import Call
from tests.support.flows import approve, delegate, request_ref
from tests.support.harness import EMPLOYEE, HOME, HOST, Harness

START, END = date(2027, 2, 1), date(2027, 7, 30)
HR = "U0HRPERSON"
HR_CHANNEL = "C0HRDESK"


def at(day: int, hour: int, minute: int = 0, month: int = 1) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=UTC)


def reminders_to(bot: Harness, user: str) -> list[Call]:
    """The reminders Slack accepted for `user`."""
    return [
        c
        for c in bot.slack.sent("chat.postMessage", channel=user)
        if "reminder" in c.text and c.error is None
    ]


@pytest.mark.settings(hr_channel=HR_CHANNEL)
async def test_the_decision_timeline_reminds_twice_then_tells_hr(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    # Requested on Monday 4 January 2027 at 10:00 in London (UTC in winter).
    thread = await bot.submit_request(START, END)

    assert await bot.sweep(at(7, 8, 59)) == 0  # Thursday, a minute early
    assert await bot.sweep(at(7, 9, 0)) == 2  # the third working day starts
    assert await bot.sweep(at(7, 9, 5)) == 0  # each reminder goes once
    assert len(reminders_to(bot, HOME)) == len(reminders_to(bot, HOST)) == 1
    first = reminders_to(bot, HOME)[0]
    assert (
        "A reminder: secondment request #1 has waited for your decision as home manager"
        in first.text
    )
    assert (
        "decision_approve" in first.blocks_text and "Open the approval thread" in first.blocks_text
    )

    clock.move_to(at(8, 11))  # Friday: the home manager decides
    await approve(bot, HOME, thread, Side.HOME)
    await bot.slack.wait_for("chat.update")

    assert await bot.sweep(at(12, 9)) == 1  # the sixth working day: only the host is reminded
    assert len(reminders_to(bot, HOME)) == 1
    assert "A second reminder" in reminders_to(bot, HOST)[-1].text

    assert (
        await bot.sweep(at(13, 9)) == 3
    )  # the seventh working day: HR hears of it, the thread too
    (hr_post,) = bot.slack.sent("chat.postMessage", channel=HR_CHANNEL)
    assert "needs HR: no decision yet" in hr_post.text
    (note,) = [c for c in bot.thread_replies(thread) if "HR has been told" in c.text]
    assert "has waited since" in note.text
    async with bot.sessions() as session:
        (escalation,) = (await session.scalars(select(Escalation))).all()
    assert (escalation.kind, escalation.raised_by) == ("no_decision", None)
    assert "With HR: no decision yet" in bot.updates(thread)[-1].blocks_text
    assert await bot.sweep(at(20, 9)) == 0


@pytest.mark.settings(hr_channel=HR_CHANNEL)
async def test_back_after_three_weeks_each_manager_is_reminded_once_before_hr_hears(
    bot: Harness,
) -> None:
    """Requested on Monday 4 January; the bot is down from before the first reminder until
    Monday 25 January, when both reminders and HR's escalation are all overdue. The chain starts
    again from that day: a first reminder now, the second three working days later, HR the day
    after that."""
    await bot.submit_request(START, END)

    assert await bot.sweep(at(25, 9)) == 2
    for manager in (HOME, HOST):
        (reminder,) = reminders_to(bot, manager)
        assert "A reminder: secondment request #1" in reminder.text
    assert bot.slack.sent("chat.postMessage", channel=HR_CHANNEL) == []

    assert await bot.sweep(at(27, 23)) == 0
    assert await bot.sweep(at(28, 9)) == 2
    for manager in (HOME, HOST):
        assert "A second reminder" in reminders_to(bot, manager)[-1].text
        assert len(reminders_to(bot, manager)) == 2
    assert bot.slack.sent("chat.postMessage", channel=HR_CHANNEL) == []

    assert await bot.sweep(at(29, 8, 59)) == 0
    assert await bot.sweep(at(29, 9)) == 3  # HR, the thread's note and the parent's update
    (hr_post,) = bot.slack.sent("chat.postMessage", channel=HR_CHANNEL)
    assert "needs HR: no decision yet" in hr_post.text


@pytest.mark.settings(hr_channel=HR_CHANNEL)
async def test_a_delegation_while_the_bot_runs_leaves_hr_its_planned_day(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    """The delegate's reminders are planned from the round's start, so the first goes at once:
    on time, not late, and HR still hears on the seventh working day (Wednesday 13 January)."""
    deputy = bot.slack.add_user("U0DEPUTY")
    thread = await bot.submit_request(START, END)
    assert await bot.sweep(at(7, 9)) == 2
    clock.move_to(at(11, 10))
    await delegate(bot, thread, Side.HOME, deputy)
    await bot.handled()

    await bot.sweep(at(11, 10, 1))  # the delegate's first reminder, overdue when planned
    assert len(reminders_to(bot, deputy)) == 1
    await bot.sweep(at(12, 9))
    await bot.sweep(at(13, 8, 59))
    assert bot.slack.sent("chat.postMessage", channel=HR_CHANNEL) == []
    await bot.sweep(at(13, 9))
    (hr_post,) = bot.slack.sent("chat.postMessage", channel=HR_CHANNEL)
    assert "needs HR: no decision yet" in hr_post.text


async def test_reminders_arrive_at_nine_where_each_manager_is(bot: Harness) -> None:
    bot.slack.add_user("U0BRISBANE", tz="Australia/Brisbane")  # UTC+10
    bot.slack.add_user("U0SEATTLE", tz="America/Los_Angeles")  # UTC-8 in January
    await bot.submit_request(START, END, home="U0BRISBANE", host="U0SEATTLE")

    # Thursday 09:00 in Brisbane is Wednesday 23:00 UTC; in Seattle it is Thursday 17:00 UTC.
    assert await bot.sweep(at(6, 22, 59)) == 0
    assert await bot.sweep(at(6, 23)) == 1
    assert len(reminders_to(bot, "U0BRISBANE")) == 1 and not reminders_to(bot, "U0SEATTLE")
    assert await bot.sweep(at(7, 16, 59)) == 0
    assert await bot.sweep(at(7, 17)) == 1
    assert len(reminders_to(bot, "U0SEATTLE")) == 1


async def test_weekends_and_a_clock_change_keep_reminders_at_nine_local(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    # Requested on Thursday 25 March 2027; London moves to summer time on Sunday 28 March.
    clock.move_to(at(25, 10, month=3))
    await bot.submit_request(date(2027, 5, 3), date(2027, 8, 27))

    # Working days: Friday, Monday, Tuesday. Tuesday 09:00 in London is now 08:00 UTC.
    assert await bot.sweep(at(29, 9, month=3)) == 0
    assert await bot.sweep(at(30, 7, 59, month=3)) == 0
    assert await bot.sweep(at(30, 8, month=3)) == 2


async def test_a_decision_stops_that_managers_reminders_at_once(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread = await bot.submit_request(START, END)
    clock.move_to(at(5, 10))
    await approve(bot, HOST, thread, Side.HOST)
    await bot.slack.wait_for("chat.update")

    assert await bot.sweep(at(7, 9)) == 1
    assert reminders_to(bot, HOME) and not reminders_to(bot, HOST)
    async with bot.sessions() as session:
        host_nudges = (await session.scalars(select(Nudge).where(Nudge.side == "host"))).all()
    assert host_nudges and all(n.cancelled_at and not n.sent_at for n in host_nudges)


@pytest.mark.settings(hr_users=HR)
async def test_a_reminder_to_a_deactivated_manager_is_routed_to_hr(bot: Harness) -> None:
    bot.slack.add_user(HR)
    await bot.submit_request(START, END)
    bot.slack.workspace.deactivate(HOST)  # the host manager left after the request

    # The home manager's, and HR handed the side the host manager can no longer decide.
    assert await bot.sweep(at(7, 9)) == 4  # and the thread told, its parent re-drawn
    (routed,) = [c for c in bot.slack.sent("chat.postMessage", channel=HR) if "needs HR" in c.text]
    assert f"<@{HOST}>'s Slack account is deactivated" in routed.text
    async with bot.sessions() as session:
        (failed,) = (
            await session.scalars(
                select(Nudge).where(Nudge.recipient_id == HOST, Nudge.sequence == 1)
            )
        ).all()
    assert (failed.attempts, failed.last_error, failed.sent_at) == (1, "user_disabled", None)
    assert failed.cancelled_at is not None
    assert await bot.sweep(at(7, 9, 30)) == 0  # not retried forever


async def test_a_failed_reminder_is_retried_with_backoff_and_recorded(bot: Harness) -> None:
    await bot.submit_request(START, END)
    bot.slack.fail_next("chat.postMessage", "fatal_error")

    assert await bot.sweep(at(7, 9)) == 1  # one of the two went; the other failed
    async with bot.sessions() as session:
        (waiting,) = (
            await session.scalars(select(Nudge).where(Nudge.last_error == "fatal_error"))
        ).all()
    assert waiting.sent_at is None and waiting.cancelled_at is None
    assert waiting.due_at == at(7, 9, 1)  # first retry after one minute

    assert await bot.sweep(at(7, 9, 1)) == 1
    assert len(reminders_to(bot, HOME)) == len(reminders_to(bot, HOST)) == 1
    async with bot.sessions() as session:
        retried = await session.get(Nudge, waiting.id, populate_existing=True)
    assert retried is not None and retried.attempts == 2 and retried.sent_at is not None


async def test_withdrawn_requests_send_nothing(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)

    await bot.click(EMPLOYEE, Action.WITHDRAW, request_ref(thread), thread)
    await bot.slack.wait_for("chat.update")

    assert await bot.sweep(at(20, 9)) == 0


async def test_without_hr_set_up_a_silence_is_not_escalated_to_no_one(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)

    assert await bot.sweep(at(7, 9)) == 2  # the reminders still go
    assert await bot.sweep(at(12, 9)) == 2  # and the second ones
    assert await bot.sweep(at(13, 9)) == 0  # but no escalation, with nobody to take it
    assert not [c for c in bot.thread_replies(thread) if "HR has been told" in c.text]
    async with bot.sessions() as session:
        assert (await session.scalars(select(Escalation))).all() == []


def in_dm(bot: Harness, user: str, ts: str) -> dict[str, Any]:
    """A message as it now stands in `user`'s DM with the bot (updates applied)."""
    (message,) = [m for m in bot.slack.posted("D" + user[1:]) if m["ts"] == ts]
    return message


async def test_a_decision_replaces_the_buttons_of_that_managers_reminder(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread = await bot.submit_request(START, END)
    await bot.sweep(at(7, 9, 0))
    home_ts, host_ts = (
        str(m["ts"])
        for user in (HOME, HOST)
        for m in bot.slack.posted("D" + user[1:])
        if "A reminder" in m["text"]
    )

    clock.move_to(at(8, 11))
    await approve(bot, HOME, thread, Side.HOME)
    await bot.handled()

    # The home manager's reminder says what they decided, with no buttons left to press; the
    # host manager's, still to decide, keeps its buttons.
    closed = in_dm(bot, HOME, home_ts)
    assert f"<@{HOME}> approved the *home manager* side" in closed["text"]
    assert "decision_approve" not in json.dumps(closed["blocks"])
    assert "decision_approve" in json.dumps(in_dm(bot, HOST, host_ts)["blocks"])


async def test_a_withdrawal_closes_every_reminder(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)
    await bot.sweep(at(7, 9, 0))

    await bot.click(EMPLOYEE, Action.WITHDRAW, request_ref(thread), thread)
    await bot.handled()

    reminders = [
        m for user in (HOME, HOST) for m in bot.slack.posted("D" + user[1:]) if m.get("metadata")
    ]
    assert len(reminders) == 2
    for message in reminders:
        assert "withdrew" in message["text"] and "decision_approve" not in json.dumps(
            message["blocks"]
        )


async def test_a_close_written_before_closes_were_pinned_still_closes_its_reminder(
    bot: Harness,
) -> None:
    """A close of the home manager's reminders, as the release before wrote it (naming kinds,
    not messages), still waiting after the upgrade: it finds the reminder when it is sent."""
    thread = await bot.submit_request(START, END)
    await bot.sweep(at(7, 9))
    (reminder,) = [m for m in bot.slack.posted(HOME) if "A reminder" in m["text"]]
    closed = {"text": "Closed: decided elsewhere.", "blocks": []}
    async with bot.sessions.begin() as session:
        await session.execute(
            insert(Nudge).values(
                secondment_id=thread.secondment_id,
                kind=NudgeKind.QUESTIONS_CLOSED,
                round=1,
                sequence=0,
                due_at=at(7, 10),
                attempts=0,
                created_at=at(7, 10),
                payload={
                    "kinds": [NudgeKind.DECISION_REMINDER],
                    "sequence": None,
                    "side": Side.HOME,
                    "message": closed,
                },
            )
        )

    assert await bot.sweep(at(7, 10)) == 1

    (now,) = [m for m in bot.slack.posted(HOME) if m["ts"] == reminder["ts"]]
    assert now["text"] == "Closed: decided elsewhere." and not now.get("blocks")
    (host,) = [m for m in bot.slack.posted(HOST) if "A reminder" in m["text"]]
    assert "decision_approve" in json.dumps(host["blocks"])  # the other side's stays open
