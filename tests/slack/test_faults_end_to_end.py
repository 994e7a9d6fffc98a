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
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select

from bot.domain.catch_up import NEVER_ASKED, WINDOW_PASSED
from bot.domain.kinds import NudgeKind
from bot.domain.nudge_catalogue import SILENT
from bot.models import Nudge, Secondment
from bot.slack.ids import Action
from tests.support.harness import Harness
from tests.support.lifecycle_play import play

DELIVERY = (
    "chat.postMessage",
    "chat.update",
    "chat.getPermalink",
    "conversations.open",
    "conversations.history",
    "conversations.replies",
)
SEED = 20261206


def said(bot: Harness) -> list[tuple[str, str]]:
    """Every message in every conversation, as (conversation, text)."""
    return sorted(
        (channel, str(m.get("text")))
        for channel, messages in bot.slack.posted_everywhere().items()
        for m in messages
    )


def live_question_buttons(bot: Harness) -> list[str]:
    """The texts of the messages in Slack that still carry a check-in's or an end-of-term ask's
    buttons."""
    answers = {Action.CHECK_IN_ON_TRACK, Action.CHECK_IN_SNOOZE, Action.CONFIRM_RETURN}
    return [
        str(m["text"])
        for messages in bot.slack.posted_everywhere().values()
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
        for messages in bot.slack.posted_everywhere().values()
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
