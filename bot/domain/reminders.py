"""Which nudges a request waiting for decisions should have, and when.

A decider who has not decided gets a reminder after N working days and one more after 2N; after
M working days the request is escalated to HR. HR, asked for an exception to its rules with the
terms, or deciding a side whose decider's account was deactivated, is reminded after N and 2N
working days too (of a side, counted from when it went to HR, if later). The plan is a pure
function of the current state, so the services can compare it with what is stored and add or
cancel the difference.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.domain.calendar import working_days_later
from bot.domain.kinds import NudgeKind
from bot.domain.policy import Policy
from bot.domain.states import Side, Status


@dataclass(frozen=True, slots=True)
class PlannedNudge:
    """A nudge the plan calls for: what, to whom and when."""

    kind: NudgeKind
    side: Side | None
    sequence: int
    recipient_id: str | None  # None: HR
    due_at: datetime

    @property
    def key(self) -> tuple[NudgeKind, Side | None, int, str | None]:
        """What makes it the same nudge as a stored one, whatever its due time."""
        return (self.kind, self.side, self.sequence, self.recipient_id)


@dataclass(frozen=True, slots=True)
class DecisionWait:
    """A request's wait for decisions: who still has to decide, since when."""

    status: Status
    round_started_at: datetime
    employee_id: str
    undecided: Mapping[Side, str]  # side -> whoever decides it now (the manager or a delegate)
    exception_asked: bool = False  # HR has still to decide an exception to its rules
    # Sides HR decides (their decider's account was deactivated), and since when.
    hr_sides: Mapping[Side, datetime] = field(default_factory=dict)

    def hr_since(self, side: Side) -> datetime:
        """When HR's wait for `side` began: the round's start, or the hand-over if later."""
        return max(self.round_started_at, self.hr_sides[side])


HR_REMINDERS = 2


def hr_reminder_due(since: datetime, sequence: int, tz: str | None, policy: Policy) -> datetime:
    """When HR's reminder number `sequence` of what waits on HR since `since` falls due (HR
    works for the request, so its clock is the employee's); past the last one, never."""
    if sequence > HR_REMINDERS:
        return datetime.max.replace(tzinfo=UTC)
    days = policy.reminder_after_working_days * sequence
    return working_days_later(since, days, tz, policy)


def plan_decision_nudges(
    wait: DecisionWait, tz_of: Mapping[str, str | None], policy: Policy
) -> list[PlannedNudge]:
    """The reminders and the escalation a request's wait for decisions calls for."""
    if not wait.status.awaits_decisions:
        return []
    every, escalate = policy.reminder_after_working_days, policy.escalate_after_working_days
    planned = []
    for side, decider in wait.undecided.items():
        for sequence in (1, 2):
            if every * sequence >= escalate:
                break  # HR hears of it by then; a reminder on the same day adds nothing
            due = working_days_later(
                wait.round_started_at, every * sequence, tz_of.get(decider), policy
            )
            planned.append(PlannedNudge(NudgeKind.DECISION_REMINDER, side, sequence, decider, due))
    hr_tz = tz_of.get(wait.employee_id)
    if wait.exception_asked and policy.hr_configured:
        for sequence in range(1, HR_REMINDERS + 1):
            due = hr_reminder_due(wait.round_started_at, sequence, hr_tz, policy)
            planned.append(PlannedNudge(NudgeKind.EXCEPTION_REMINDER, None, sequence, None, due))
    for side in wait.hr_sides if policy.hr_configured else ():
        for sequence in range(1, HR_REMINDERS + 1):
            due = hr_reminder_due(wait.hr_since(side), sequence, hr_tz, policy)
            planned.append(PlannedNudge(NudgeKind.HR_SIDE_REMINDER, side, sequence, None, due))
    if wait.undecided and policy.hr_configured:
        # HR works for the request, so its clock is the employee's.
        due = working_days_later(
            wait.round_started_at, escalate, tz_of.get(wait.employee_id), policy
        )
        planned.append(PlannedNudge(NudgeKind.DECISION_ESCALATION, None, 1, None, due))
    return planned
