"""When a decision reminder, or HR's escalation of a request nobody decided, may go however late
its time comes: after the bot was down, or the clock jumped.

bot/domain/reminders.py plans a round's chain from the round's start: a reminder after N
working days, a second after 2N, HR's escalation after M. Sent as planned after downtime, the
whole chain would arrive at once: both reminders in the same minute, and HR told about a
manager who was never reminded. So a step whose step before went out late (a day or more after
its time) waits the working days the plan put between them, counted from when that step
really went out: the rest of the chain is re-based on the day the bot came back. While the bot
runs, every step goes out on time and the plan holds as it is. (A step's time is when it was
due, or when it was planned if that is later: a delegate's reminders are planned from the
round's start, and go at once, on time.)

- A reminder follows the one before it to the same decider; the first follows the round's
  start, and goes when it is due.
- HR's escalation follows every reminder of the round to a decider who has not decided.
- A step still on its way, late, holds the next back; one that will never go (given up, or its
  decider replaced) holds nothing back.

They are pure functions of the plan, `now` and what was delivered (`Step`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.calendar import working_days_later
from bot.domain.catch_up import Send, Wait
from bot.domain.kinds import NudgeKind
from bot.domain.policy import Policy

# A step sent within this long of its time was on time: the plan after it holds.
ON_TIME = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Step:
    """A step of the chain before the one judged: where the plan put it (working days after
    the round's start), its time (see the module), when it really went out if it did, and
    whether it still may."""

    planned_days: int
    due_at: datetime
    sent_at: datetime | None
    may_still_go: bool


def planned_days(kind: NudgeKind, sequence: int, policy: Policy) -> int:
    """Where the plan puts a step of the chain: working days after the round's start."""
    if kind is NudgeKind.DECISION_ESCALATION:
        return policy.escalate_after_working_days
    assert kind is NudgeKind.DECISION_REMINDER, kind
    return policy.reminder_after_working_days * sequence


def chain_verdict(
    planned: int, before: Iterable[Step], now: datetime, tz: str | None, policy: Policy
) -> Send | Wait:
    """Whether the step `planned` working days after the round's start goes at `now`, given
    the steps `before` it (see the module). `tz`: where its recipient is (for HR, the
    employee)."""
    until: datetime | None = None
    for step in before:
        gap = max(1, planned - step.planned_days)
        if step.sent_at is not None:
            if step.sent_at - step.due_at < ON_TIME:
                continue
            after = working_days_later(step.sent_at, gap, tz, policy)
        elif step.may_still_go:
            if now - step.due_at < ON_TIME:
                continue
            # Late, it goes in this sweep or a later one: from now is the soonest it can be.
            after = working_days_later(now, gap, tz, policy)
        else:
            continue
        until = after if until is None else max(until, after)
    return Wait(until) if until is not None and now < until else Send()
