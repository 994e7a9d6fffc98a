"""The request form's rules: what a new request, or changed terms, must meet before anything is
stored.

Each function returns either the clean value or `FieldErrors`, a message per field that says
what to change; the Slack layer shows those messages on the matching modal fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from bot.domain.counts import count_of
from bot.domain.exception_checks import check_exception, outside_the_rules
from bot.domain.field_checks import FieldChecker, FieldErrors
from bot.domain.hr_rules import PolicyException, term_breaks
from bot.domain.people import Person
from bot.domain.policy import Policy
from bot.domain.terms import (
    DEFAULT_PAY_AND_BENEFITS,
    LONG_TEXT_MAX,
    MAX_HANDOVER_WEEKS,
    MAX_TIME_COMMITMENT,
    MEDIUM_TEXT_MAX,
    MIN_TIME_COMMITMENT,
    SHORT_TEXT_MAX,
    Kind,
    ReturnArrangement,
    Terms,
)


@dataclass(frozen=True, slots=True)
class RequestForm:
    """A submitted request as typed values, each `None` when the field was left empty."""

    home_manager_id: str | None = None
    host_manager_id: str | None = None
    kind: str | None = None
    host_team: str | None = None
    role_title: str | None = None
    responsibilities: str | None = None
    objectives: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    time_commitment: str | None = None
    reporting_line: str | None = None
    pay_and_benefits: str | None = None
    return_arrangement: str | None = None
    coverage_plan: str | None = None
    handover_weeks: str | None = None
    check_in_weeks: str | None = None  # how often check-ins go out; empty for the default
    # Why HR should allow terms outside its rules (POLICY_*); empty: no exception is asked.
    exception_reason: str | None = None


def validate_request(
    form: RequestForm,
    *,
    employee: Person,
    people: Mapping[str, Person],
    today: date,
    policy: Policy,
) -> Terms | FieldErrors:
    """Check a new request: the named managers (looked up by id in `people`) and the terms."""
    check = FieldChecker()
    _check_managers(form, employee, people, check)
    return _checked_terms(form, today, policy, check)


def validate_terms(form: RequestForm, *, today: date, policy: Policy) -> Terms | FieldErrors:
    """Check changed terms; the managers are not part of a change."""
    return _checked_terms(form, today, policy, FieldChecker())


def _checked_terms(
    form: RequestForm, today: date, policy: Policy, check: FieldChecker
) -> Terms | FieldErrors:
    kind = _choice(check, "kind", form.kind, Kind)
    host_team = check.text("host_team", form.host_team, SHORT_TEXT_MAX)
    role_title = check.text("role_title", form.role_title, SHORT_TEXT_MAX)
    responsibilities = check.text("responsibilities", form.responsibilities, LONG_TEXT_MAX)
    objectives = check.text("objectives", form.objectives, LONG_TEXT_MAX)
    reporting_line = check.text(
        "reporting_line", form.reporting_line, MEDIUM_TEXT_MAX, required=False
    )
    pay = check.text("pay_and_benefits", form.pay_and_benefits, MEDIUM_TEXT_MAX, required=False)
    return_arrangement = _choice(
        check, "return_arrangement", form.return_arrangement, ReturnArrangement
    )
    if return_arrangement is ReturnArrangement.PERMANENT_MOVE:
        check.fail("return_arrangement", "Choose one of the options.")
    coverage_plan = check.text("coverage_plan", form.coverage_plan, LONG_TEXT_MAX)
    commitment = check.whole_number(
        "time_commitment", form.time_commitment, MIN_TIME_COMMITMENT, MAX_TIME_COMMITMENT
    )
    handover = check.whole_number("handover_weeks", form.handover_weeks, 0, MAX_HANDOVER_WEEKS)
    asking = bool((form.exception_reason or "").strip())
    _check_dates(form.start_date, form.end_date, today, policy, check, asking)

    if check.errors:
        return check.errors
    assert kind and return_arrangement and form.start_date and form.end_date
    return Terms(
        kind=kind,
        host_team=host_team,
        role_title=role_title,
        responsibilities=responsibilities,
        objectives=objectives,
        start_date=form.start_date,
        end_date=form.end_date,
        time_commitment=commitment if commitment is not None else MAX_TIME_COMMITMENT,
        reporting_line=reporting_line or None,
        pay_and_benefits=pay or DEFAULT_PAY_AND_BENEFITS,
        return_arrangement=return_arrangement,
        coverage_plan=coverage_plan,
        handover_weeks=handover,
    )


def _check_managers(
    form: RequestForm, employee: Person, people: Mapping[str, Person], check: FieldChecker
) -> None:
    named = {"home_manager": form.home_manager_id, "host_manager": form.host_manager_id}
    for name, user_id in named.items():
        role = "home" if name == "home_manager" else "host"
        if not user_id:
            check.fail(name, "Choose a person.")
        elif user_id == employee.id:
            check.fail(name, f"You can't be your own {role} manager. Choose the person who is.")
        elif user_id not in people:
            check.fail(
                name, f"I can't find this person in Slack. Choose your {role} manager again."
            )
        elif not people[user_id].can_decide:
            check.fail(
                name,
                "This account can't decide: it is a bot or has been deactivated. "
                f"Choose your {role} manager's own account.",
            )
    if form.home_manager_id and form.home_manager_id == form.host_manager_id:
        check.fail(
            "host_manager",
            "The home and host managers must be different people: one releases you, the "
            "other receives you.",
        )


def _check_dates(
    start: date | None,
    end: date | None,
    today: date,
    policy: Policy,
    check: FieldChecker,
    asking: bool = False,
) -> None:
    """The dates; with `asking` (an exception asked of HR), HR's rules are HR's to apply."""
    if start is None:
        check.fail("start_date", "Choose the first day of the secondment.")
    elif start < today:
        check.fail("start_date", "The start date is in the past. Choose today or a later date.")
    if end is None:
        check.fail("end_date", "Choose the last day of the secondment.")
    if start is None or end is None:
        return
    if end < start:
        check.fail("end_date", "The end date is before the start date.")
    elif (end - start).days + 1 < policy.min_term_days:
        check.fail(
            "end_date",
            f"A secondment runs at least {count_of(policy.min_term_days, 'day')}. Choose a later "
            "end date.",
        )
    elif (broken := term_breaks(start, end, policy.rules)) and not asking:
        check.fail("end_date", outside_the_rules(broken, policy, "Choose an earlier end date"))


_Choice = TypeVar("_Choice", Kind, ReturnArrangement)


def _choice(
    check: FieldChecker, name: str, value: str | None, enum: type[_Choice]
) -> _Choice | None:
    if not value:
        check.fail(name, "Choose one.")
        return None
    try:
        return enum(value)
    except ValueError:
        check.fail(name, "Choose one of the options.")
        return None


MAX_CHECK_IN_WEEKS = 26


def validate_check_in_weeks(form: RequestForm) -> int | FieldErrors | None:
    """The check-in interval chosen on the request (None: the workspace's default)."""
    check = FieldChecker()
    weeks = check.whole_number("check_in_weeks", form.check_in_weeks, 1, MAX_CHECK_IN_WEEKS)
    return check.errors or weeks


def validate_exception(form: RequestForm, policy: Policy) -> PolicyException | FieldErrors | None:
    """The exception to HR's rules asked for on the form: None when none is asked (the dates
    then keep within the rules, or carry their own error); an error when one is asked that
    is not needed, cannot be granted, or does not say why."""
    check = FieldChecker()
    if form.start_date is None or form.end_date is None:
        return None  # the dates carry their own errors
    broken = term_breaks(form.start_date, form.end_date, policy.rules)
    exception = check_exception(broken, form.exception_reason, policy, check)
    return check.errors or exception
