"""The rules a request or a block must meet before anything is stored.

`validate_request` and `validate_block` return either the clean value or a mapping of field name to
a message; the field names are the modal's block ids, so every test asserts the exact keys and
that the message tells the person what to change.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from bot.domain.block_form import BlockForm, validate_block
from bot.domain.block_reasons import (
    CONDITIONS_NOTE_MAX,
    EXPLANATION_MAX,
    BlockDetails,
    BlockReason,
    Condition,
)
from bot.domain.field_checks import FieldErrors
from bot.domain.people import Person
from bot.domain.policy import Policy
from bot.domain.request_form import RequestForm, validate_request
from bot.domain.terms import (
    DEFAULT_PAY_AND_BENEFITS,
    LONG_TEXT_MAX,
    MEDIUM_TEXT_MAX,
    SHORT_TEXT_MAX,
    Kind,
    ReturnArrangement,
    Terms,
)

TODAY = date(2027, 1, 4)
POLICY = Policy()
EMPLOYEE = Person("UEMPLOYEE")
HOME = Person("UHOME")
HOST = Person("UHOST")
BOT = Person("UBOT", is_bot=True)
GONE = Person("UGONE", deleted=True)
PEOPLE = {p.id: p for p in (EMPLOYEE, HOME, HOST, BOT, GONE)}

VALID = RequestForm(
    home_manager_id=HOME.id,
    host_manager_id=HOST.id,
    kind="internal",
    host_team="Data Platform",
    role_title="Analytics engineer",
    responsibilities="Build the reporting pipeline with the platform team.",
    objectives="Ship the quarterly dashboard.",
    start_date=date(2027, 2, 1),
    end_date=date(2027, 7, 30),
    time_commitment=None,
    reporting_line=None,
    pay_and_benefits=None,
    return_arrangement="same_role",
    coverage_plan="Sam covers the support rota.",
    handover_weeks=None,
)

# Required text fields and the limit validation applies to each.
REQUIRED_TEXT = {
    "host_team": SHORT_TEXT_MAX,
    "role_title": SHORT_TEXT_MAX,
    "responsibilities": LONG_TEXT_MAX,
    "objectives": LONG_TEXT_MAX,
    "coverage_plan": LONG_TEXT_MAX,
}
OPTIONAL_TEXT = {"reporting_line": MEDIUM_TEXT_MAX, "pay_and_benefits": MEDIUM_TEXT_MAX}


def with_field(field: str, value: str | None) -> RequestForm:
    """VALID with one of its fields, named only at run time, set to `value`. (The field
    name is a runtime string, so mypy cannot match it to a field's type.)"""
    changes: dict[str, Any] = {field: value}
    return replace(VALID, **changes)


def check(form: RequestForm, *, policy: Policy = POLICY) -> Terms | FieldErrors:
    return validate_request(form, employee=EMPLOYEE, people=PEOPLE, today=TODAY, policy=policy)


def errors_of(form: RequestForm, *, policy: Policy = POLICY) -> FieldErrors:
    result = check(form, policy=policy)
    assert isinstance(result, dict), f"expected field errors, got {result!r}"
    return result


def terms_of(form: RequestForm, *, policy: Policy = POLICY) -> Terms:
    result = check(form, policy=policy)
    assert isinstance(result, Terms), f"expected terms, got {result!r}"
    return result


# --- validate_request: a valid form ---------------------------------------------------------


def test_valid_form_gives_terms_with_defaults_applied() -> None:
    terms = terms_of(VALID)

    assert terms.kind is Kind.INTERNAL
    assert terms.return_arrangement is ReturnArrangement.SAME_ROLE
    assert terms.host_team == "Data Platform"
    assert (terms.start_date, terms.end_date) == (VALID.start_date, VALID.end_date)
    assert terms.reporting_line is None
    assert terms.pay_and_benefits == DEFAULT_PAY_AND_BENEFITS
    assert terms.time_commitment == 100
    assert terms.handover_weeks is None


def test_empty_strings_in_optional_fields_get_the_same_defaults() -> None:
    form = replace(VALID, reporting_line="  ", pay_and_benefits="", time_commitment=" ")

    terms = terms_of(form)

    assert terms.reporting_line is None
    assert terms.pay_and_benefits == DEFAULT_PAY_AND_BENEFITS
    assert terms.time_commitment == 100


def test_given_optional_values_are_kept_and_text_is_stripped() -> None:
    form = replace(
        VALID,
        role_title="  Analytics engineer \n",
        reporting_line="Priya, head of data",
        pay_and_benefits="Host pays a 5% allowance",
        time_commitment="60",
        handover_weeks="3",
        kind="external",
        return_arrangement="to_be_agreed",
    )

    terms = terms_of(form)

    assert terms.role_title == "Analytics engineer"
    assert terms.reporting_line == "Priya, head of data"
    assert terms.pay_and_benefits == "Host pays a 5% allowance"
    assert terms.time_commitment == 60
    assert terms.handover_weeks == 3
    assert terms.kind is Kind.EXTERNAL
    assert terms.return_arrangement is ReturnArrangement.TO_BE_AGREED


# --- dates ------------------------------------------------------------------------------------


def test_end_date_before_start_is_refused() -> None:
    errors = errors_of(replace(VALID, start_date=date(2027, 3, 1), end_date=date(2027, 2, 28)))

    assert set(errors) == {"end_date"}
    assert "before the start date" in errors["end_date"]


def test_start_date_in_the_past_is_refused() -> None:
    yesterday = TODAY - timedelta(days=1)
    errors = errors_of(replace(VALID, start_date=yesterday, end_date=yesterday + timedelta(60)))

    assert set(errors) == {"start_date"}
    assert "Choose today or a later date" in errors["start_date"]


def test_start_date_today_is_accepted() -> None:
    terms = terms_of(replace(VALID, start_date=TODAY, end_date=TODAY + timedelta(days=60)))

    assert terms.start_date == TODAY


def test_missing_dates_are_refused_on_their_own_fields() -> None:
    errors = errors_of(replace(VALID, start_date=None, end_date=None))

    assert set(errors) == {"start_date", "end_date"}
    assert errors["start_date"].startswith("Choose the first day")
    assert errors["end_date"].startswith("Choose the last day")


def test_term_shorter_than_the_minimum_is_refused() -> None:
    start = date(2027, 2, 1)
    # 1 to 13 February is 13 days counting both ends: one short of the default 14.
    errors = errors_of(replace(VALID, start_date=start, end_date=date(2027, 2, 13)))

    assert set(errors) == {"end_date"}
    assert f"at least {POLICY.min_term_days} days" in errors["end_date"]
    assert "Choose a later end date" in errors["end_date"]


def test_term_of_exactly_the_minimum_is_accepted_counting_first_and_last_day() -> None:
    start = date(2027, 2, 1)
    end = start + timedelta(days=POLICY.min_term_days - 1)

    terms = terms_of(replace(VALID, start_date=start, end_date=end))

    assert terms.days == POLICY.min_term_days


def test_minimum_term_follows_the_policy() -> None:
    policy = Policy(min_term_days=120)
    form = replace(VALID, start_date=date(2027, 2, 1), end_date=date(2027, 5, 31))  # 120 days

    assert isinstance(check(form, policy=policy), Terms)
    errors = errors_of(replace(form, end_date=date(2027, 5, 30)), policy=policy)
    assert "at least 120 days" in errors["end_date"]


# --- managers ---------------------------------------------------------------------------------


def test_employee_named_as_home_manager_is_refused() -> None:
    errors = errors_of(replace(VALID, home_manager_id=EMPLOYEE.id))

    assert set(errors) == {"home_manager"}
    assert "your own home manager" in errors["home_manager"]
    assert "Choose the person who is" in errors["home_manager"]


def test_employee_named_as_host_manager_is_refused() -> None:
    errors = errors_of(replace(VALID, host_manager_id=EMPLOYEE.id))

    assert set(errors) == {"host_manager"}
    assert "your own host manager" in errors["host_manager"]


def test_same_person_as_both_managers_is_refused_on_host_manager() -> None:
    errors = errors_of(replace(VALID, host_manager_id=HOME.id))

    assert set(errors) == {"host_manager"}
    assert "must be different people" in errors["host_manager"]


@pytest.mark.parametrize("field", ["home_manager", "host_manager"])
@pytest.mark.parametrize("account", [BOT, GONE], ids=["bot", "deactivated"])
def test_manager_who_cannot_decide_is_refused(field: str, account: Person) -> None:
    errors = errors_of(with_field(f"{field}_id", account.id))

    assert set(errors) == {field}
    role = field.split("_")[0]
    assert "can't decide" in errors[field]
    assert f"Choose your {role} manager's own account" in errors[field]


def test_manager_unknown_to_slack_is_refused() -> None:
    errors = errors_of(replace(VALID, host_manager_id="UNOBODY"))

    assert set(errors) == {"host_manager"}
    assert "can't find this person in Slack" in errors["host_manager"]


def test_missing_managers_are_refused() -> None:
    errors = errors_of(replace(VALID, home_manager_id=None, host_manager_id=""))

    assert errors == {"home_manager": "Choose a person.", "host_manager": "Choose a person."}


# --- text fields ------------------------------------------------------------------------------


@pytest.mark.parametrize("field", sorted(REQUIRED_TEXT))
@pytest.mark.parametrize("empty", [None, "", "   \n "], ids=["none", "empty", "whitespace"])
def test_empty_required_text_field_is_refused(field: str, empty: str | None) -> None:
    errors = errors_of(with_field(field, empty))

    assert errors == {field: "This is required."}


@pytest.mark.parametrize(("field", "limit"), sorted({**REQUIRED_TEXT, **OPTIONAL_TEXT}.items()))
def test_text_over_its_limit_is_refused_naming_the_limit(field: str, limit: int) -> None:
    errors = errors_of(with_field(field, "x" * (limit + 1)))

    assert set(errors) == {field}
    assert f"Keep this to {limit} characters or fewer" in errors[field]
    assert f"it has {limit + 1}" in errors[field]


@pytest.mark.parametrize(("field", "limit"), sorted({**REQUIRED_TEXT, **OPTIONAL_TEXT}.items()))
def test_text_at_its_limit_is_accepted(field: str, limit: int) -> None:
    terms = terms_of(with_field(field, "x" * limit))

    assert getattr(terms, field) == "x" * limit


def test_surrounding_whitespace_does_not_count_towards_the_limit() -> None:
    terms = terms_of(replace(VALID, role_title=f"  {'x' * SHORT_TEXT_MAX}  "))

    assert len(terms.role_title) == SHORT_TEXT_MAX


# --- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["9", "101", "0", "-50"])
def test_time_commitment_out_of_range_is_refused(value: str) -> None:
    errors = errors_of(replace(VALID, time_commitment=value))

    assert errors == {"time_commitment": "Enter a whole number from 10 to 100."}


@pytest.mark.parametrize("value", ["abc", "50.5", "50%"])
def test_time_commitment_not_a_whole_number_is_refused(value: str) -> None:
    errors = errors_of(replace(VALID, time_commitment=value))

    assert errors == {"time_commitment": "Enter a whole number from 10 to 100."}


@pytest.mark.parametrize("value", [10, 100])
def test_time_commitment_at_the_bounds_is_accepted(value: int) -> None:
    assert terms_of(replace(VALID, time_commitment=str(value))).time_commitment == value


@pytest.mark.parametrize("value", ["-1", "27", "two"])
def test_handover_weeks_out_of_range_is_refused(value: str) -> None:
    errors = errors_of(replace(VALID, handover_weeks=value))

    assert errors == {"handover_weeks": "Enter a whole number from 0 to 26."}


@pytest.mark.parametrize("value", [0, 26])
def test_handover_weeks_at_the_bounds_is_accepted(value: int) -> None:
    assert terms_of(replace(VALID, handover_weeks=str(value))).handover_weeks == value


# --- choices ----------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["kind", "return_arrangement"])
def test_unknown_choice_is_refused(field: str) -> None:
    errors = errors_of(with_field(field, "secret_option"))

    assert errors == {field: "Choose one of the options."}


@pytest.mark.parametrize("field", ["kind", "return_arrangement"])
def test_missing_choice_is_refused(field: str) -> None:
    errors = errors_of(with_field(field, None))

    assert errors == {field: "Choose one."}


# --- several at once --------------------------------------------------------------------------


def test_several_errors_land_on_their_own_fields() -> None:
    form = replace(
        VALID,
        home_manager_id=EMPLOYEE.id,
        host_manager_id=BOT.id,
        role_title="",
        objectives="x" * (LONG_TEXT_MAX + 1),
        time_commitment="5",
        handover_weeks="40",
        kind="sideways",
        start_date=TODAY - timedelta(days=3),
        end_date=TODAY - timedelta(days=10),
    )

    errors = errors_of(form)

    assert set(errors) == {
        "home_manager",
        "host_manager",
        "role_title",
        "objectives",
        "time_commitment",
        "handover_weeks",
        "kind",
        "start_date",
        "end_date",
    }
    assert "own home manager" in errors["home_manager"]
    assert "can't decide" in errors["host_manager"]
    assert "before the start date" in errors["end_date"]


def test_empty_form_names_every_required_field() -> None:
    errors = errors_of(RequestForm())

    required = {"home_manager", "host_manager", "kind", "return_arrangement"}
    required |= {"start_date", "end_date"} | set(REQUIRED_TEXT)
    assert set(errors) == required
    assert all(message.strip() for message in errors.values())


# --- validate_block ---------------------------------------------------------------------------

EXPLANATION = "We have no cover for the on-call rota until March."


@pytest.mark.parametrize("reason", [None, ""])
def test_block_without_a_reason_is_refused(reason: str | None) -> None:
    errors = validate_block(BlockForm(reason=reason, explanation=EXPLANATION), POLICY)

    assert errors == {"reason": "Choose the main reason."}


def test_block_with_an_unknown_reason_is_refused() -> None:
    errors = validate_block(BlockForm(reason="because", explanation=EXPLANATION), POLICY)

    assert errors == {"reason": "Choose one of the reasons."}


def test_block_explanation_shorter_than_the_policy_minimum_is_refused() -> None:
    short = "x" * (POLICY.block_reason_min_chars - 1)

    errors = validate_block(BlockForm(reason="cover", explanation=short), POLICY)

    assert isinstance(errors, dict)
    assert set(errors) == {"explanation"}
    assert f"at least {POLICY.block_reason_min_chars} characters" in errors["explanation"]


def test_block_explanation_of_exactly_the_minimum_is_accepted() -> None:
    exact = "x" * POLICY.block_reason_min_chars

    details = validate_block(BlockForm(reason="cover", explanation=exact), POLICY)

    assert isinstance(details, BlockDetails)
    assert details.explanation == exact


def test_block_explanation_minimum_follows_the_policy() -> None:
    policy = Policy(block_reason_min_chars=len(EXPLANATION) + 1)

    errors = validate_block(BlockForm(reason="cover", explanation=EXPLANATION), policy)

    assert isinstance(errors, dict)
    assert f"at least {len(EXPLANATION) + 1} characters" in errors["explanation"]


def test_block_explanation_of_whitespace_only_is_refused() -> None:
    errors = validate_block(BlockForm(reason="cover", explanation=" \n\t " * 10), POLICY)

    assert errors == {"explanation": "This is required."}


def test_block_explanation_over_the_maximum_is_refused_naming_the_limit() -> None:
    too_long = "x" * (EXPLANATION_MAX + 1)

    errors = validate_block(BlockForm(reason="cover", explanation=too_long), POLICY)

    assert isinstance(errors, dict)
    assert f"Keep this to {EXPLANATION_MAX} characters" in errors["explanation"]


def test_block_with_an_unknown_condition_is_refused() -> None:
    form = BlockForm(reason="timing", explanation=EXPLANATION, conditions=("handover", "never"))

    errors = validate_block(form, POLICY)

    assert errors == {"conditions": "Choose from the listed conditions."}


def test_block_conditions_note_over_the_maximum_is_refused() -> None:
    form = BlockForm(
        reason="timing", explanation=EXPLANATION, conditions_note="x" * (CONDITIONS_NOTE_MAX + 1)
    )

    errors = validate_block(form, POLICY)

    assert isinstance(errors, dict)
    assert set(errors) == {"conditions_note"}
    assert str(CONDITIONS_NOTE_MAX) in errors["conditions_note"]


def test_valid_block_with_conditions_and_a_note() -> None:
    form = BlockForm(
        reason="timing",
        explanation=f"  {EXPLANATION}  ",
        conditions=("later_start", "handover"),
        conditions_note=" Start on 1 March after a four-week handover. ",
    )

    details = validate_block(form, POLICY)

    assert details == BlockDetails(
        reason=BlockReason.TIMING,
        explanation=EXPLANATION,
        conditions=(Condition.LATER_START, Condition.HANDOVER),
        conditions_note="Start on 1 March after a four-week handover.",
    )


def test_valid_block_without_conditions_has_no_note() -> None:
    details = validate_block(BlockForm(reason="cover", explanation=EXPLANATION), POLICY)

    assert isinstance(details, BlockDetails)
    assert details.conditions == ()
    assert details.conditions_note is None
