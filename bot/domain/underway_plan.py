"""The nudges an approved or active secondment calls for, and when (docs/DOMAIN.md friction 5: the
secondment needs looking after once it starts).

Like the decision reminders, the plan is a pure function of the current state; the services
store the difference. Each message is its own nudge, so one recipient's failure never resends
another's message, and each goes out at the start of a working day where its recipient is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.domain.calendar import working_day_start, working_days_later
from bot.domain.kinds import FOLLOW_UP_SEQUENCE, NudgeKind
from bot.domain.policy import Policy
from bot.domain.reminders import PlannedNudge
from bot.domain.states import Status


@dataclass(frozen=True, slots=True)
class CheckInState:
    """What has become of one check-in, which decides whether it is still reminded of."""

    answered: bool = False
    missed: bool = False
    snoozed_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Underway:
    """What the plan of an approved secondment's nudges needs to know about it."""

    status: Status
    start_date: date
    end_date: date
    employee_id: str
    home_manager_id: str
    host_manager_id: str
    check_in_weeks: int
    check_ins: Mapping[int, CheckInState] = field(default_factory=dict)
    terms_version: int = 1
    end_decided: bool = False


# The end-of-term question is asked twice about each version of the terms in force: its nudges
# are numbered by that version, so an agreed extension asks again about the new end date.
END_DECISION_ASKS = 2


def end_decision_sequence(terms_version: int, ask: int) -> int:
    """The number of an end-of-term ask about one version of the terms."""
    return terms_version * 10 + ask


def end_decision_ask(sequence: int) -> tuple[int, int]:
    """(terms version, ask number) of an end-of-term question's sequence."""
    return divmod(sequence, 10)


def end_decision_days(policy: Policy, ask: int) -> int:
    """How many days before the end the ask number `ask` goes out."""
    return policy.end_decision_days if ask == 1 else policy.end_decision_reminder_days


def check_in_day(start_date: date, weeks: int, sequence: int) -> date:
    """The day check-in number `sequence` falls on."""
    return start_date + timedelta(weeks=weeks * sequence)


def plan_underway_nudges(
    secondment: Underway, tz_of: Mapping[str, str | None], policy: Policy
) -> list[PlannedNudge]:
    """Every nudge an approved, active or completed secondment calls for now."""
    planned: list[PlannedNudge] = []
    employee = secondment.employee_id
    if secondment.status is Status.APPROVED or secondment.status.is_underway:
        planned += _start(secondment, tz_of, policy)
    if secondment.status.is_underway:
        planned += _check_ins(secondment, tz_of.get(employee), policy)
        planned += _debrief(secondment, tz_of, policy)
    if secondment.status is Status.ACTIVE and not secondment.end_decided:
        # While a proposal is being decided, its own decision reminders do the asking.
        planned += _end_decision(secondment, tz_of, policy)
    if secondment.status is Status.COMPLETED:
        back = secondment.end_date + timedelta(days=policy.follow_up_after_days)
        due = working_day_start(back, tz_of.get(employee), policy)
        planned.append(PlannedNudge(NudgeKind.FOLLOW_UP, None, FOLLOW_UP_SEQUENCE, employee, due))
    return planned


def _start(
    secondment: Underway, tz_of: Mapping[str, str | None], policy: Policy
) -> list[PlannedNudge]:
    """On the start date: activation (while approved), the welcomes, the coverage notice."""

    def on_start(kind: NudgeKind, recipient: str | None, clock_of: str) -> PlannedNudge:
        """A nudge due on the start day, at the start of the working day where `clock_of` is."""
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


def _check_ins(secondment: Underway, tz: str | None, policy: Policy) -> list[PlannedNudge]:
    """Every N weeks until the end: ask; if unanswered, remind once the next working day (and
    once more when the employee snoozed it), and the working day after the last reminder, mark
    it missed."""
    planned = []
    employee = secondment.employee_id
    sequence = 1
    while (day := check_in_day(secondment.start_date, secondment.check_in_weeks, sequence)) < (
        secondment.end_date
    ):
        asked = working_day_start(day, tz, policy)
        planned.append(PlannedNudge(NudgeKind.CHECK_IN, None, sequence, employee, asked))
        state = secondment.check_ins.get(sequence, CheckInState())
        if not state.answered and not state.missed:
            last = working_days_later(asked, 1, tz, policy)
            planned.append(
                PlannedNudge(NudgeKind.CHECK_IN_REMINDER, None, sequence, employee, last)
            )
            if state.snoozed_until is not None:
                last = max(last, state.snoozed_until)
                planned.append(
                    PlannedNudge(
                        NudgeKind.CHECK_IN_SNOOZED, None, sequence, employee, state.snoozed_until
                    )
                )
            planned.append(
                PlannedNudge(
                    NudgeKind.CHECK_IN_MISSED,
                    None,
                    sequence,
                    None,
                    working_days_later(last, 1, tz, policy),
                )
            )
        sequence += 1
    return planned


def _end_decision(
    secondment: Underway, tz_of: Mapping[str, str | None], policy: Policy
) -> list[PlannedNudge]:
    """Some weeks before the end, and again nearer it, each of the three is asked what happens
    at the end: the planned return, an extension, or a permanent move (docs/DOMAIN.md friction 6).
    An ask that would fall on or before the start is left out: a short term is asked only
    nearer its end."""
    planned: list[PlannedNudge] = []
    for ask in range(1, END_DECISION_ASKS + 1):
        day = secondment.end_date - timedelta(days=end_decision_days(policy, ask))
        if day <= secondment.start_date:
            # Not before the start, nor on the first day, when it goes out before the
            # secondment is active for anyone whose 09:00 comes before the employee's.
            continue
        sequence = end_decision_sequence(secondment.terms_version, ask)
        for person in (
            secondment.employee_id,
            secondment.home_manager_id,
            secondment.host_manager_id,
        ):
            due = working_day_start(day, tz_of.get(person), policy)
            planned.append(PlannedNudge(NudgeKind.END_DECISION, None, sequence, person, due))
    return planned


def _debrief(
    secondment: Underway, tz_of: Mapping[str, str | None], policy: Policy
) -> list[PlannedNudge]:
    """On the end date: the employee and the home manager are asked to hold the return
    debrief, and HR (when set up) hears that it is due."""

    def on_end(kind: NudgeKind, recipient: str | None, clock_of: str) -> PlannedNudge:
        """A nudge due on the end day, at the start of the working day where `clock_of` is."""
        due = working_day_start(secondment.end_date, tz_of.get(clock_of), policy)
        return PlannedNudge(kind, None, 1, recipient, due)

    planned = [
        on_end(NudgeKind.DEBRIEF_REQUEST, secondment.employee_id, secondment.employee_id),
        on_end(NudgeKind.DEBRIEF_REQUEST, secondment.home_manager_id, secondment.home_manager_id),
    ]
    if policy.hr_configured:
        planned.append(on_end(NudgeKind.DEBRIEF_HR_NOTICE, None, secondment.employee_id))
    return planned
