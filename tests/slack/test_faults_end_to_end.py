"""A whole secondment while Slack fails about one call in five, with a fixed seed.

Request, thread, block, reconsider, approve, start, check-ins, the end-of-term decision and the
debrief: after each step the bot's own sweeps run at the times its retries ask for, as the
scheduler would. At the end every message the run produced (a sent nudge or outbox row that
speaks) is in its conversation exactly once, by the outbox id in its metadata, and nothing waits
or was given up. The same test without faults checks the same of the same run.

The faults fall on the calls that deliver what the bot says (posting, updating, opening and
reading conversations). The calls a person waits on (a modal opening, a lookup while a form is
checked) are answered to that person at once, who tries again; other tests cover those.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, or_, select

from bot.domain.catch_up import NEVER_ASKED, WINDOW_PASSED
from bot.domain.followups import CheckInAnswer, NudgeKind
from bot.domain.nudge_catalogue import SAID, SILENT
from bot.domain.states import Side
from bot.models import Nudge, Secondment
from bot.slack.ids import Action, Callback
from bot.slack.refs import CheckInRef
from tests.support import forms
from tests.support.flows import approve, block, click_then_submit, ref, request_ref
from tests.support.harness import EMPLOYEE, HOME, HOST, Harness, Thread

START, END = date(2027, 2, 1), date(2027, 4, 30)
DELIVERY = (
    "chat.postMessage",
    "chat.update",
    "chat.getPermalink",
    "conversations.open",
    "conversations.history",
    "conversations.replies",
)
SEED = 20261206


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
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
    await settle(bot, await _swept(bot, at(2, 1, 9)))
    await settle(bot, await _swept(bot, at(2, 15, 9)))
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
    await settle(bot, await _swept(bot, at(3, 3, 9)))

    # Asked about the end; the employee confirms the return; the debrief completes it.
    await settle(bot, await _swept(bot, at(3, 31, 8)))
    clock.move_to(at(3, 31, 10))
    await bot.click(EMPLOYEE, Action.CONFIRM_RETURN, request_ref(thread), thread)
    await settle(bot, at(3, 31, 10))
    await settle(bot, await _swept(bot, at(4, 30, 8)))
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


async def _swept(bot: Harness, now: datetime) -> datetime:
    await bot.sweep(now)
    return now


def said(bot: Harness) -> list[tuple[str, str]]:
    """Every message in every conversation, as (conversation, text)."""
    return sorted(
        (channel, str(m.get("text")))
        for channel, messages in bot.slack.conversations.items()
        for m in messages
    )


def live_question_buttons(bot: Harness) -> list[str]:
    """The texts of the messages in Slack that still carry a check-in's or an end-of-term ask's
    buttons."""
    answers = {Action.CHECK_IN_ON_TRACK, Action.CHECK_IN_SNOOZE, Action.CONFIRM_RETURN}
    return [
        str(m["text"])
        for messages in bot.slack.conversations.values()
        for m in messages
        if any(
            element.get("action_id") in answers
            for block in as_blocks(m.get("blocks"))
            for element in block.get("elements") or []
        )
    ]


def as_blocks(blocks: Any) -> list[dict[str, Any]]:
    return list(json.loads(blocks) if isinstance(blocks, str) else blocks or [])


# Kinds that edit messages already posted (the thread's parent, closed questions).
UPDATES = (NudgeKind.THREAD_UPDATE, NudgeKind.QUESTIONS_CLOSED)


@pytest.mark.parametrize(
    ("fault_rate", "seed"),
    [(0.0, SEED), (0.2, SEED), (0.2, 7), (0.2, 42)],
    ids=["no faults", "one call in five fails", "another five", "a third five"],
)
async def test_a_whole_secondment_says_everything_once_while_slack_fails(
    bot: Harness, clock: time_machine.Traveller, fault_rate: float, seed: int
) -> None:
    bot.slack.fail_randomly(fault_rate, seed=seed, methods=DELIVERY)

    ended = await play(bot, clock)

    row = await bot.secondment(1)
    assert (row.status, row.outcome) == ("completed", "returned")
    async with bot.sessions() as session:
        nudges = (await session.scalars(select(Nudge))).all()
        assert await session.scalar(select(func.count()).select_from(Secondment)) == 1
    speaking = {
        n.id
        for n in nudges
        if n.sent_at is not None and n.kind not in SILENT and n.kind not in UPDATES
    }
    in_slack = Counter(
        m["metadata"]["event_payload"]["outbox_id"]
        for messages in bot.slack.conversations.values()
        for m in messages
        if m.get("metadata")
    )
    # Each message the run produced reached its conversation exactly once.
    assert set(in_slack) == speaking
    assert [n for n, copies in in_slack.items() if copies > 1] == []
    # Nothing due waits (the follow-up after the return is not due yet), nothing was given up.
    waiting = [n for n in nudges if n.sent_at is None and n.cancelled_at is None]
    assert [(n.id, n.kind) for n in waiting if n.due_at <= ended] == []
    # (A nudge no longer due, or a check-in's skipped as no longer true, was not given up.)
    not_given_up = {"no longer due", WINDOW_PASSED, NEVER_ASKED}
    assert [(n.id, n.last_error) for n in nudges if n.last_error and n.sent_at is None] == [
        (n.id, n.last_error) for n in nudges if n.last_error in not_given_up
    ]
    figures: dict[str, Any] = {
        "expected": len(speaking),
        "delivered": sum(in_slack.values()),
        "duplicated": sum(c - 1 for c in in_slack.values()),
        "faults": bot.slack.faults_injected,
        "calls": len([c for c in bot.slack.calls if c.method in DELIVERY]),
    }
    print(f"\nfault rate {fault_rate}, seed {seed}: {figures}")
    if fault_rate:
        assert figures["faults"] >= 0.1 * figures["calls"]  # the faults did happen
    # The people read the same things as in a run without faults: the milestones, once each.
    # (In the approval thread: a question a milestone closed says it again, in its own DM.)
    texts = Counter(text for channel, text in said(bot) if channel.startswith("G"))
    for milestone in (
        "blocked the *home manager* side",
        "lifted the block",
        "Both managers have approved",
        "started today",
        "confirmed the return",
    ):
        assert sum(n for text, n in texts.items() if milestone in text) == 1, milestone
    assert len(said(bot)) == len(speaking)
    # Every check-in the employee was asked was closed, by its answer or by the return, and
    # every end-of-term ask by the confirmed return: no button is left on a question that no
    # longer applies.
    assert live_question_buttons(bot) == []
    closed_asks = [t for c, t in said(bot) if c.startswith("D") and "confirmed the return" in t]
    assert len(closed_asks) == 3
