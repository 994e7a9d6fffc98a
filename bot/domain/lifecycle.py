"""The nudges an approved or active secondment calls for, and when (DOMAIN.md friction 5: the
secondment needs looking after once it starts).

Like the decision reminders, the plan is a pure function of the current state; the services
store the difference. Each message is its own nudge, so one recipient's failure never resends
another's message, and each goes out at the start of a working day where its recipient is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from bot.domain.calendar import working_day_start
from bot.domain.followups import NudgeKind
from bot.domain.policy import Policy
from bot.domain.reminders import PlannedNudge
from bot.domain.states import Status


@dataclass(frozen=True, slots=True)
class Underway:
    """What the lifecycle plan needs to know about a secondment."""

    status: Status
    start_date: date
    employee_id: str
    home_manager_id: str
    host_manager_id: str


def plan_lifecycle_nudges(
    secondment: Underway, tz_of: Mapping[str, str | None], policy: Policy
) -> list[PlannedNudge]:
    if secondment.status not in (Status.APPROVED, Status.ACTIVE):
        return []

    def on_start(kind: NudgeKind, recipient: str | None, clock_of: str) -> PlannedNudge:
        due = working_day_start(secondment.start_date, tz_of.get(clock_of), policy)
        return PlannedNudge(kind, None, 1, recipient, due)

    planned = [
        on_start(NudgeKind.START_WELCOME, secondment.employee_id, secondment.employee_id),
        on_start(NudgeKind.START_WELCOME, secondment.host_manager_id, secondment.host_manager_id),
        on_start(NudgeKind.COVERAGE_NOTICE, secondment.home_manager_id, secondment.home_manager_id),
    ]
    if secondment.status is Status.APPROVED:
        # The secondment becomes active at the start of the employee's first day.
        planned.insert(0, on_start(NudgeKind.SECONDMENT_START, None, secondment.employee_id))
    return planned
