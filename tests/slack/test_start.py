"""The start of a secondment, end to end: on the start date (at the start of the working day,
where each person is) it becomes active, the employee and the host manager are welcomed and asked
to record the objectives they agree, and the home manager is told the coverage plan applies.
The sweep runs at explicit moments; nothing waits for real time."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import select

from bot.domain.states import Side
from bot.models import Nudge
from bot.slack.ids import Action, Callback
from bot.slack_standin.recorded import Call
from tests.support import forms
from tests.support.flows import approve, click_then_submit, request_ref
from tests.support.flows import approved as approved_request
from tests.support.harness import EMPLOYEE, HOME, HOST, OUTSIDER, Harness, Thread

START, END = date(2027, 2, 1), date(2027, 7, 30)  # Monday 1 February


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=UTC)


async def approved(bot: Harness, start: date = START) -> Thread:
    return await approved_request(bot, start, END)


def dms_to(bot: Harness, user: str, containing: str) -> list[Call]:
    return [
        c
        for c in bot.slack.sent("chat.postMessage", channel=user)
        if containing in c.text and c.error is None
    ]


async def test_on_the_start_date_the_secondment_becomes_active_and_everyone_is_told(
    bot: Harness,
) -> None:
    thread = await approved(bot)

    assert await bot.sweep(at(2, 1, 8, 59)) == 0
    assert await bot.sweep(at(2, 1, 9)) == 6  # the start, its thread note and re-drawn parent,
    # two welcomes, the coverage notice

    assert (await bot.secondment(thread.secondment_id)).status == "active"
    (welcome,) = dms_to(bot, EMPLOYEE, "starts today")
    assert "Welcome to *Data Platform*" in welcome.blocks_text
    assert "name a buddy or mentor" in welcome.blocks_text
    assert "record_objectives" in welcome.blocks_text
    (host_welcome,) = dms_to(bot, HOST, "starts today")
    assert f"<@{EMPLOYEE}> joins you today" in host_welcome.blocks_text
    (coverage,) = dms_to(bot, HOME, "coverage plan")
    assert "Sam covers the support rota" in coverage.blocks_text
    assert len([c for c in bot.thread_replies(thread) if "started today" in c.text]) == 1
    assert "🚀 *Active*" in bot.updates(thread)[-1].blocks_text
    assert await bot.sweep(at(2, 1, 9, 5)) == 0  # once only
    assert [e.action for e in await bot.audit(thread.secondment_id)].count("started") == 1


async def test_the_employee_and_host_record_the_objectives_they_agree(bot: Harness) -> None:
    thread = await approved(bot)
    await bot.sweep(at(2, 1, 9))

    answer = await click_then_submit(
        bot,
        EMPLOYEE,
        Action.RECORD_OBJECTIVES,
        request_ref(thread),
        thread,
        Callback.OBJECTIVES,
        forms.objectives_values("1. Ship the Q2 dashboard. 2. Document the data model."),
    )

    assert answer == ""
    opened = await bot.opened_modal(Callback.OBJECTIVES)
    prefilled = json.dumps(opened.body["view"])
    assert "Ship the quarterly dashboard" in prefilled  # the request's objectives to start from
    (shared,) = await bot.slack.wait_for(
        "chat.postMessage",
        where=lambda c: c.body["channel"] == HOST and "recorded the agreed objectives" in c.text,
    )
    assert "Ship the Q2 dashboard" in shared.blocks_text
    await bot.slack.wait_for(
        "chat.postMessage",
        where=lambda c: c.body.get("thread_ts") == thread.ts and "agreed objectives" in c.text,
    )
    _, status = await bot.command(HOME, "status 1")
    assert "Ship the Q2 dashboard" in (await bot.reply_to(status)).blocks_text


async def test_only_the_employee_and_host_record_the_objectives(bot: Harness) -> None:
    thread = await approved(bot)
    await bot.sweep(at(2, 1, 9))

    _, by_home = await bot.click(HOME, Action.RECORD_OBJECTIVES, request_ref(thread), thread)
    _, by_stranger = await bot.click(
        OUTSIDER, Action.RECORD_OBJECTIVES, request_ref(thread), thread
    )

    assert (
        f"Only <@{EMPLOYEE}> or <@{HOST}> can record the objectives"
        in (await bot.reply_to(by_home)).text
    )
    assert "can't find secondment #1" in (await bot.reply_to(by_stranger)).text


async def test_an_approval_after_the_start_date_starts_at_the_next_sweep(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread = await bot.submit_request(START, END)
    clock.move_to(at(2, 3, 14))  # the managers approve two days late
    await approve(bot, HOME, thread, Side.HOME)
    await approve(bot, HOST, thread, Side.HOST)
    await bot.slack.wait_for("chat.update", 2)

    assert await bot.sweep(at(2, 3, 14, 1)) == 6
    assert (await bot.secondment(thread.secondment_id)).status == "active"


async def test_a_weekend_start_begins_on_the_next_working_day(bot: Harness) -> None:
    thread = await approved(bot, start=date(2027, 2, 6))  # a Saturday

    assert await bot.sweep(at(2, 7, 23)) == 0
    assert await bot.sweep(at(2, 8, 9)) == 6  # Monday
    assert (await bot.secondment(thread.secondment_id)).status == "active"


async def test_changed_terms_before_the_start_replan_the_start(bot: Harness) -> None:
    thread = await approved(bot)
    await click_then_submit(
        bot,
        EMPLOYEE,
        Action.PROPOSE_CHANGE,
        request_ref(thread),
        thread,
        Callback.CHANGE,
        forms.change_values(start=date(2027, 3, 1), end=END),
    )
    await bot.slack.wait_for("chat.postMessage", where=lambda c: "changed the terms" in c.text)

    await bot.sweep(at(2, 1, 9))  # the new round's reminders go; nothing starts
    assert (await bot.secondment(thread.secondment_id)).status == "pending"
    assert not dms_to(bot, EMPLOYEE, "starts today")
    for manager, side in ((HOME, Side.HOME), (HOST, Side.HOST)):
        await approve(bot, manager, thread, side, version=2)
    await bot.slack.wait_for(
        "chat.postMessage", 2, where=lambda c: "Both managers have approved" in c.text
    )
    async with bot.sessions() as session:
        starts = (
            await session.scalars(
                select(Nudge).where(Nudge.kind == "secondment_start", Nudge.cancelled_at.is_(None))
            )
        ).all()
    assert [n.due_at for n in starts] == [at(3, 1, 9)]
    assert await bot.sweep(at(3, 1, 9)) == 6


async def test_a_welcome_that_arrives_late_says_when_it_started(bot: Harness) -> None:
    """Down over the start date: two weeks later, the words are true on the day they arrive."""
    thread = await approved(bot)

    await bot.sweep(at(2, 15, 10))

    (welcome,) = dms_to(bot, EMPLOYEE, "Secondment #1 started on Mon 1 Feb 2027: ")
    assert "started on Mon 1 Feb 2027 and runs to" in welcome.blocks_text
    assert "starts today" not in welcome.blocks_text
    (host_welcome,) = dms_to(bot, HOST, "Secondment #1 started on Mon 1 Feb 2027: ")
    assert f"<@{EMPLOYEE}> joined you on Mon 1 Feb 2027" in host_welcome.blocks_text
    (coverage,) = dms_to(bot, HOME, "coverage plan")
    assert "started their secondment on Mon 1 Feb 2027 (until" in coverage.text
    (started,) = [c for c in bot.thread_replies(thread) if "Secondment #1 started" in c.text]
    assert started.text.startswith("🚀 Secondment #1 started on Mon 1 Feb 2027.")
