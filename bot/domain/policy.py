"""Configurable policy, with the examples from docs/DOMAIN.md as defaults, and the notes it
produces.

Notes are advice shown on a request; they never stop it. Errors live in `validation`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.domain.holidays import PublicHolidays
from bot.domain.hr_rules import HrRules
from bot.domain.terms import Kind, ReturnArrangement, Terms, add_months


@dataclass(frozen=True, slots=True)
class Policy:
    """The organisation's settings for the rules: limits, working days, reminders, retention."""

    min_term_days: int = 14
    return_rights_months: int = 12
    block_reason_min_chars: int = 20
    reminder_after_working_days: int = 3
    escalate_after_working_days: int = 7
    working_days: frozenset[int] = field(default_factory=lambda: frozenset(range(5)))
    # Public holidays are not working days either (HOLIDAYS, such as GB-ENG; none by default).
    holidays: PublicHolidays = field(default_factory=PublicHolidays)
    workday_start_hour: int = 9
    hr_can_override: bool = False
    check_in_every_weeks: int = 2
    early_end_notice_weeks: int = 2
    follow_up_after_days: int = 30
    # The end-of-term question goes out this many days before the end, and again nearer it.
    end_decision_days: int = 30
    end_decision_reminder_days: int = 7
    # Personal data is kept this long after a secondment closes, then anonymised (or deleted).
    retention_years: int = 6
    retention_deletes: bool = False
    # Whether anyone is set up as HR; without HR, a silence is not escalated to no one.
    hr_configured: bool = True
    # HR's written rules on terms and extensions (POLICY_*), enforced where set.
    rules: HrRules = field(default_factory=HrRules)


def policy_notes(terms: Terms, policy: Policy) -> list[str]:
    """The advice a request's terms call for, shown with it (never stopping it)."""
    notes: list[str] = []
    if (note := return_rights_note(terms, policy)) is not None:
        notes.append(note)
    if terms.kind is Kind.EXTERNAL:
        notes.append(
            "External secondments involve another organisation: HR usually agrees the "
            "secondment agreement with them."
        )
    return notes


def return_rights_limit(terms: Terms, policy: Policy) -> date:
    """The first end date at which the time away reaches the months after which return rights
    change. The end date is the last day worked, so 1 Jan to 31 Dec is twelve months away."""
    return add_months(terms.start_date, policy.return_rights_months) - timedelta(days=1)


def return_rights_note(terms: Terms, policy: Policy) -> str | None:
    """A warning when the term is long enough to change the employee's right to return."""
    if terms.end_date < return_rights_limit(terms, policy):
        return None
    months = policy.return_rights_months
    note = (
        f"This term runs {months} months or more. After {months} months away there may be "
        "no automatic right to the old role, only to a role of the same grade."
    )
    if terms.return_arrangement is ReturnArrangement.SAME_ROLE:
        note += " Confirm with HR that a return to the same role can be guaranteed."
    return note
