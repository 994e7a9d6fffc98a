"""Check-ins, end to end: every N weeks the employee is asked how it is going, with the agreed
objectives; each answer reaches exactly the people the employee was told; an unanswered check-in
gets one reminder and is then marked missed; "Remind me tomorrow" adds one more reminder."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select

from bot.domain.kinds import CheckInAnswer, NudgeKind
from bot.domain.nudge_catalogue import CHECK_IN_NUDGES
from bot.models import CheckIn, Nudge
from bot.services.sweep import claim_due
from bot.slack.ids import Action, Callback
from bot.slack.refs import CheckInRef
from bot.slack_standin.faults import DROPPED
from bot.slack_standin.recorded import Call
from tests.support import forms
from tests.support.flows import approved
from tests.support.harness import EMPLOYEE, HOME, HOST, OUTSIDER, Harness, Thread

START, END = date(2027, 2, 1), date(2027, 7, 30)  # Monday 1 February to the end of July
HR = "U0HRPERSON"


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=UTC)


async def under_way(bot: Harness) -> Thread:
    thread = await approved(bot, START, END)
    await bot.sweep(at(2, 1, 9))  # the start
    return thread


def check_ins_to(bot: Harness, user: str) -> list[Call]:
    return [
        c
        for c in bot.slack.sent("chat.postMessage", channel=user)
        if "secondment with" in c.text and c.error is None
    ]


async def answer(
    bot: Harness,
    thread: Thread,
    sequence: int,
    choice: CheckInAnswer,
    note: str | None = None,
    share: bool = False,
    user: str = EMPLOYEE,
) -> str:
    action = {
        CheckInAnswer.ON_TRACK: Action.CHECK_IN_ON_TRACK,
        CheckInAnswer.CONCERNS: Action.CHECK_IN_CONCERNS,
        CheckInAnswer.NEED_HELP: Action.CHECK_IN_NEED_HELP,
    }[choice]
    ref = CheckInRef(thread.secondment_id, sequence, choice)
    response, reply = await bot.click(user, action, ref, thread)
    assert response.status == 200
    return reply


async def submit_answer(bot: Harness, note: str | None, share: bool) -> str:
    opened = await bot.opened_modal(Callback.CHECK_IN)
    values = {
        "check_in_note": {"check_in_note": forms.text(note)},
        "check_in_share": {"check_in_share": forms.checkboxes(["share"] if share else [])},
    }
    response = await bot.submit(
        EMPLOYEE,
        Callback.CHECK_IN,
        values,
        private_metadata=opened.body["view"]["private_metadata"],
    )
    return await response.text()


async def test_every_two_weeks_the_employee_is_asked_with_the_objectives(bot: Harness) -> None:
    await under_way(bot)

    assert await bot.sweep(at(2, 15, 8, 59)) == 0
    assert await bot.sweep(at(2, 15, 9)) == 1
    (asked,) = check_ins_to(bot, EMPLOYEE)
    assert "check-in 1" in asked.text
    for expected in (
        "check_in_on_track",
        "check_in_concerns",
        "check_in_need_help",
        "check_in_snooze",
        "Need help goes to your host manager and HR",
    ):
        assert expected in asked.blocks_text, expected
    # Unanswered, check-in 1 was reminded on the 16th and marked missed on the 17th; by 1 March
    # only the missed mark and check-in 2 are left, its reminder having become pointless.
    assert await bot.sweep(at(3, 1, 9)) == 2
    assert "check-in 2" in check_ins_to(bot, EMPLOYEE)[-1].text


async def test_concerns_reach_the_host_and_a_shared_summary_the_home_manager(
    bot: Harness,
) -> None:
    thread = await under_way(bot)
    await bot.sweep(at(2, 15, 9))

    await answer(bot, thread, 1, CheckInAnswer.CONCERNS)
    modal = json.dumps((await bot.opened_modal(Callback.CHECK_IN)).body["view"])
    assert f"<@{HOST}> (host manager) will see it" in modal
    assert await submit_answer(bot, "The scope keeps growing.", share=True) == ""

    (thanks,) = await bot.slack.wait_for(
        "chat.postMessage", where=lambda c: c.body["channel"] == EMPLOYEE and "Thanks" in c.text
    )
    assert "recorded as Some concerns" in thanks.text and f"<@{HOME}>" in thanks.text
    (alert,) = await bot.slack.wait_for(
        "chat.postMessage", where=lambda c: c.body["channel"] == HOST and "check-in 1" in c.text
    )
    assert "The scope keeps growing." in alert.blocks_text
    (kit,) = await bot.slack.wait_for(
        "chat.postMessage", where=lambda c: c.body["channel"] == HOME and "Keep in touch" in c.text
    )
    assert "Some concerns" in kit.blocks_text
    assert await bot.sweep(at(2, 16, 9)) == 0  # answered: no reminder


@pytest.mark.settings(hr_users=HR)
async def test_need_help_reaches_the_host_and_hr_and_nobody_else(bot: Harness) -> None:
    bot.slack.add_user(HR)
    thread = await under_way(bot)
    await bot.sweep(at(2, 15, 9))

    await answer(bot, thread, 1, CheckInAnswer.NEED_HELP)
    assert await submit_answer(bot, None, share=False) == ""

    await bot.slack.wait_for(
        "chat.postMessage", where=lambda c: c.body["channel"] == HR and "Need help" in c.text
    )
    await bot.slack.wait_for(
        "chat.postMessage", where=lambda c: c.body["channel"] == HOST and "Need help" in c.text
    )
    assert not [c for c in bot.slack.sent("chat.postMessage", channel=HOME) if "check-in" in c.text]


async def test_an_unanswered_check_in_is_reminded_once_then_marked_missed(bot: Harness) -> None:
    thread = await under_way(bot)

    assert await bot.sweep(at(2, 15, 9)) == 1
    assert await bot.sweep(at(2, 16, 9)) == 1  # the one reminder
    assert "A reminder" in check_ins_to(bot, EMPLOYEE)[-1].text
    assert await bot.sweep(at(2, 17, 9)) == 1  # the missed mark (no message)
    assert len(check_ins_to(bot, EMPLOYEE)) == 2
    async with bot.sessions() as session:
        (missed,) = (await session.scalars(select(CheckIn))).all()
    assert (missed.sequence, missed.answer, missed.missed_at) == (1, None, at(2, 17, 9))
    _, status = await bot.command(HOME, "status 1")
    assert "1 missed" in (await bot.reply_to(status)).blocks_text
    assert "check_in_missed" in [e.action for e in await bot.audit(thread.secondment_id)]


async def test_remind_me_tomorrow_adds_one_more_reminder_and_delays_the_missed_mark(
    bot: Harness, clock: object
) -> None:
    thread = await under_way(bot)
    await bot.sweep(at(2, 15, 9))
    await bot.sweep(at(2, 16, 9))  # the regular reminder
    clock.move_to(at(2, 16, 15))  # type: ignore[attr-defined]

    _, reply = await bot.click(
        EMPLOYEE, Action.CHECK_IN_SNOOZE, CheckInRef(thread.secondment_id, 1), thread
    )

    assert "I'll remind you" in (await bot.reply_to(reply)).text
    assert await bot.sweep(at(2, 17, 9)) == 1  # the snoozed reminder, not the missed mark
    assert await bot.sweep(at(2, 18, 9)) == 1  # now it is missed
    assert len(check_ins_to(bot, EMPLOYEE)) == 3


async def test_a_check_in_is_answered_once_and_only_by_the_employee(bot: Harness) -> None:
    thread = await under_way(bot)
    await bot.sweep(at(2, 15, 9))
    await answer(bot, thread, 1, CheckInAnswer.ON_TRACK)
    assert await submit_answer(bot, None, share=False) == ""

    _, by_host = await bot.click(
        HOST,
        Action.CHECK_IN_ON_TRACK,
        CheckInRef(thread.secondment_id, 1, CheckInAnswer.ON_TRACK),
        thread,
    )
    await answer(bot, thread, 1, CheckInAnswer.NEED_HELP)
    again = json.loads(await submit_answer(bot, None, share=False))

    assert f"Only <@{EMPLOYEE}> can answer this check-in" in (await bot.reply_to(by_host)).text
    assert "already answered check-in 1" in json.dumps(again["view"])
    async with bot.sessions() as session:
        (stored,) = (await session.scalars(select(CheckIn))).all()
    assert stored.answer == "on_track"


async def test_after_downtime_only_the_latest_check_in_is_asked(bot: Harness) -> None:
    await under_way(bot)

    # Nothing swept for six weeks: check-ins 1 to 3 are all due, only the latest still matters,
    # and it goes alone: no reminder of it, nor of the two never asked.
    assert await bot.sweep(at(3, 15, 9)) == 1
    asked = check_ins_to(bot, EMPLOYEE)
    assert [("check-in 3" in c.text) for c in asked] == [True]


@pytest.mark.settings(hr_users=HR)
async def test_hr_sets_how_often_check_ins_go_out(bot: Harness) -> None:
    await under_way(bot)

    _, by_hr = await bot.command(HR, "checkins 1 4")
    _, by_employee = await bot.command(EMPLOYEE, "checkins 1 1")
    _, by_outsider = await bot.command(OUTSIDER, "checkins 1 1")

    assert "every 4 weeks" in (await bot.reply_to(by_hr)).text
    assert "Only HR can change how often" in (await bot.reply_to(by_employee)).text
    assert "Only HR can change how often" in (await bot.reply_to(by_outsider)).text
    assert await bot.sweep(at(2, 15, 9)) == 0  # no longer every two weeks
    assert await bot.sweep(at(3, 1, 9)) == 1


async def test_after_ten_weeks_down_one_check_in_is_asked_and_none_is_missed(
    bot: Harness,
) -> None:
    """A 12-week secondment, started, then the bot stopped for 10 weeks: check-ins 1 to 4 were
    never asked, so none is reminded of or missed; check-in 5, the current one, is asked once,
    the working day after the end-of-term ask that went out on the day the bot came back
    (tests/slack/test_after_downtime.py), and its reminder follows a working day later."""
    thread = await approved(bot, START, date(2027, 4, 23))
    await bot.sweep(at(2, 1, 9))  # the start
    before = len(check_ins_to(bot, EMPLOYEE))

    await bot.sweep(at(4, 12, 10))  # back on Monday 12 April, check-in 5's day
    await bot.sweep(at(4, 12, 11))
    assert check_ins_to(bot, EMPLOYEE)[before:] == []
    await bot.sweep(at(4, 13, 9))

    asked = check_ins_to(bot, EMPLOYEE)[before:]
    assert [("check-in 5" in c.text, "reminder" in c.text.lower()) for c in asked] == [
        (True, False)
    ]
    async with bot.sessions() as session:
        assert (await session.scalars(select(CheckIn))).all() == []  # none missed
        skipped = (
            await session.scalars(
                select(Nudge.last_error).where(
                    Nudge.kind == NudgeKind.CHECK_IN_MISSED, Nudge.cancelled_at.is_not(None)
                )
            )
        ).all()
    assert skipped == ["skipped: its check-in was never asked"] * 4
    _, status = await bot.command(HOME, f"status {thread.secondment_id}")
    assert "missed" not in (await bot.reply_to(status)).blocks_text

    await bot.sweep(at(4, 14, 9))  # a working day after the question: its one reminder
    (reminder,) = check_ins_to(bot, EMPLOYEE)[before + 1 :]
    assert "A reminder" in reminder.text and "check-in 5" in reminder.text


@pytest.mark.settings(hr_users=HR)
async def test_a_change_after_downtime_leaves_skipped_and_held_nudges_as_they_are(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    """Re-planning the secondment (here, HR confirming its interval) must not bring back what
    the sweep skipped, nor put a held nudge back to its old time."""
    bot.slack.add_user(HR)
    thread = await approved(bot, START, date(2027, 4, 23))
    await bot.sweep(at(2, 1, 9))
    await bot.sweep(at(4, 12, 10))  # back after ten weeks: check-in 5 held a day, the rest skipped
    before = await _check_in_rows(bot)

    clock.move_to(at(4, 12, 11))
    _, reply = await bot.command(HR, f"checkins {thread.secondment_id} 2")

    assert "every 2 weeks" in (await bot.reply_to(reply)).text
    assert await _check_in_rows(bot) == before
    assert await bot.sweep(at(4, 12, 12)) == 0  # nothing brought back to send
    assert await bot.sweep(at(4, 13, 9)) == 1  # check-in 5, at the time it was held to


@pytest.mark.settings(hr_users=HR)
async def test_a_change_leaves_a_held_reminder_held(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    bot.slack.add_user(HR)
    thread = await under_way(bot)
    # Down over check-in 1 (15 February) and its reminder's day: back on the 16th, it asks, and
    # holds the reminder until the 17th.
    assert await bot.sweep(at(2, 16, 10)) == 1
    before = await _check_in_rows(bot)

    clock.move_to(at(2, 16, 11))
    await bot.command(HR, f"checkins {thread.secondment_id} 2")

    assert await _check_in_rows(bot) == before
    assert await bot.sweep(at(2, 17, 8, 59)) == 0
    assert await bot.sweep(at(2, 17, 9)) == 1
    assert "A reminder" in check_ins_to(bot, EMPLOYEE)[-1].text


async def _check_in_rows(bot: Harness) -> list[tuple[object, ...]]:
    async with bot.sessions() as session:
        rows = await session.execute(
            select(Nudge.id, Nudge.kind, Nudge.sequence, Nudge.cancelled_at)
            .where(Nudge.kind.in_([k.value for k in CHECK_IN_NUDGES]))
            .order_by(Nudge.id)
        )
        return [tuple(r) for r in rows]


async def test_a_claim_goes_past_a_batch_that_was_all_skipped(bot: Harness) -> None:
    """After downtime the oldest due nudges are the ones skipped: a claim that found only those
    goes on to the next batch rather than ending the sweep with nothing."""
    await approved(bot, START, date(2027, 4, 23))
    await bot.sweep(at(2, 1, 9))

    due = await claim_due(bot.sessions, now=at(4, 12, 10), policy=bot.deps.policy, limit=1)

    # The oldest still true to send: the first end-of-term ask (the check-ins before it were
    # skipped, and their reminders and marks held or skipped, batch by batch).
    assert [(d.kind, d.sequence) for d in due] == [(NudgeKind.END_DECISION, 11)]


async def test_a_check_in_claimed_apart_from_its_end_of_term_ask_still_waits(bot: Harness) -> None:
    """Claimed one at a time (small batches, or a second sweeper), the end-of-term ask to the
    employee is claimed but not yet sent when check-in 5's question is: it still waits."""
    await approved(bot, START, date(2027, 4, 23))
    await bot.sweep(at(2, 1, 9))
    now = at(4, 12, 10)

    claimed = []
    while batch := await claim_due(bot.sessions, now=now, policy=bot.deps.policy, limit=1):
        claimed += [(d.kind, d.sequence, d.recipient_id) for d in batch]

    assert (NudgeKind.END_DECISION, 11, EMPLOYEE) in claimed
    assert [c for c in claimed if c[0] is NudgeKind.CHECK_IN] == []
    async with bot.sessions() as session:
        (held,) = (
            await session.scalars(
                select(Nudge.claimed_until).where(
                    Nudge.kind == NudgeKind.CHECK_IN, Nudge.sequence == 5
                )
            )
        ).all()
    # Until 09:00 the next working day in London, where the employee is (summer time).
    assert held == at(4, 13, 8) - timedelta(microseconds=1)


@pytest.mark.parametrize("arrived", [True, False], ids=["it arrived", "it did not"])
async def test_a_question_that_may_have_arrived_is_looked_for_once_its_window_passes(
    bot: Harness, arrived: bool
) -> None:
    """Check-in 1's send timed out, and the bot was down until check-in 2: whether the question
    reached the employee decides whether check-in 1 can be missed. Slack is asked, and nothing
    is posted again."""
    await under_way(bot)
    bot.slack.fail_next("chat.postMessage", "timeout", status=DROPPED, accepted=arrived)
    assert await bot.sweep(at(2, 15, 9)) == 0

    await bot.sweep(at(3, 1, 9))  # back with check-in 2
    for day in (2, 3, 4):
        await bot.sweep(at(3, day, 9))

    in_the_dm = [m for m in bot.slack.posted(EMPLOYEE) if "check-in 1" in str(m.get("text"))]
    assert len(in_the_dm) == (1 if arrived else 0)
    async with bot.sessions() as session:
        missed = (
            await session.scalars(select(CheckIn.sequence).where(CheckIn.missed_at.is_not(None)))
        ).all()
    # Check-in 2 went unanswered either way; check-in 1 is missed only if it was asked.
    assert sorted(missed) == ([1, 2] if arrived else [2])


def messages_with(bot: Harness, user: str, containing: str) -> list[dict[str, Any]]:
    """The messages as they now stand in the employee's DM (updates applied) that say this."""
    return [m for m in bot.slack.posted("D" + user[1:]) if containing in str(m["text"])]


def answer_buttons(message: dict[str, Any]) -> list[str]:
    blocks = message.get("blocks") or []
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    return [
        e["action_id"]
        for b in blocks
        for e in b.get("elements") or []
        if str(e.get("action_id", "")).startswith("check_in_")
    ]


async def test_an_answered_check_in_and_its_reminder_lose_their_buttons(bot: Harness) -> None:
    thread = await under_way(bot)
    await bot.sweep(at(2, 15, 9))
    await bot.sweep(at(2, 16, 9))  # the reminder
    asked = messages_with(bot, EMPLOYEE, "check-in 1")
    assert len(asked) == 2 and all(answer_buttons(m) for m in asked)

    await answer(bot, thread, 1, CheckInAnswer.ON_TRACK)
    assert await submit_answer(bot, None, share=False) == ""
    updated = await bot.slack.wait_for("chat.update", 2, where=lambda c: "You answered" in c.text)

    # Both messages now say what was answered and when, in place of the buttons.
    closed = [m for m in bot.slack.posted("D" + EMPLOYEE[1:]) if "You answered" in m["text"]]
    assert len(closed) == 2 and {c.body["ts"] for c in updated} == {m["ts"] for m in closed}
    for message in closed:
        assert "check-in 1" in message["text"] and "*On track*" in message["text"]
        assert "<!date^" in message["text"]  # when, in the reader's own timezone
        assert answer_buttons(message) == []
    assert messages_with(bot, EMPLOYEE, "How is your secondment") == []
    # Closed once: the next check-in's question is not touched, and nothing is updated again.
    await bot.sweep(at(3, 1, 9))
    (second,) = messages_with(bot, EMPLOYEE, "check-in 2")
    assert answer_buttons(second)
    assert len(bot.slack.sent("chat.update", ts=closed[0]["ts"])) == 1


async def test_a_question_slack_no_longer_has_is_left_alone(bot: Harness) -> None:
    thread = await under_way(bot)
    await bot.sweep(at(2, 15, 9))
    # The employee's DM is gone (the question with it): closing it finds nothing to update.
    bot.slack.workspace.clear("D" + EMPLOYEE[1:])

    await answer(bot, thread, 1, CheckInAnswer.ON_TRACK)
    assert await submit_answer(bot, None, share=False) == ""
    (refused,) = await bot.slack.wait_for("chat.update", where=lambda c: "You answered" in c.text)
    await bot.handled()

    assert refused.error == "message_not_found"
    async with bot.sessions() as session:
        closes = (
            await session.scalars(select(Nudge).where(Nudge.kind == NudgeKind.QUESTIONS_CLOSED))
        ).all()
        posted = await session.scalar(select(func.count()).where(Nudge.posted_ts.is_not(None)))
    assert [(c.sent_at is not None, c.last_error) for c in closes] == [(True, None)]
    assert posted == 0


@pytest.mark.settings(holidays="GB-ENG")
async def test_with_english_holidays_a_check_in_due_on_christmas_day_comes_on_the_29th(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    """Friday 25 December 2026, then the weekend, then Boxing Day's substitute on Monday the
    28th: the first working day is Tuesday the 29th, at 09:00 in London (UTC in winter)."""
    clock.move_to(datetime(2026, 11, 30, 10, tzinfo=UTC))
    await approved(bot, date(2026, 12, 11), date(2027, 3, 26))  # check-ins every two weeks
    await bot.sweep(datetime(2026, 12, 11, 9, tzinfo=UTC))  # the start

    for quiet in (
        datetime(2026, 12, 25, 9, tzinfo=UTC),
        datetime(2026, 12, 28, 9, tzinfo=UTC),
        datetime(2026, 12, 29, 8, 59, tzinfo=UTC),
    ):
        await bot.sweep(quiet)
        assert check_ins_to(bot, EMPLOYEE) == [], quiet
    await bot.sweep(datetime(2026, 12, 29, 9, tzinfo=UTC))

    (asked,) = check_ins_to(bot, EMPLOYEE)
    assert "check-in 1" in asked.text
