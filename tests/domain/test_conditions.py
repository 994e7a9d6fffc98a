"""A manager's conditions turned into new terms (`apply_conditions`), what changed between two
versions of the terms (`diff_terms`), and who may take over a side's decision
(`validate_delegate`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.domain.conditions import CHANGE_NOTE_MAX, ConditionsForm, apply_conditions
from bot.domain.delegation import validate_delegate
from bot.domain.field_checks import FieldErrors
from bot.domain.people import Person
from bot.domain.policy import Policy
from bot.domain.terms import Kind, TermChange, Terms, diff_terms
from tests.support.samples import START, TERMS

# TERMS runs 1 Feb to 30 Jul 2027, 60% of full time, with two weeks of handover.
TODAY = date(2027, 1, 4)
END = TERMS.end_date
POLICY = Policy()


def applied(form: ConditionsForm, *, today: date = TODAY, policy: Policy = POLICY) -> Terms:
    result = apply_conditions(TERMS, form, today, policy)
    assert isinstance(result, tuple), result
    terms, _note = result
    return terms


def errors_of(
    form: ConditionsForm, *, terms: Terms = TERMS, today: date = TODAY, policy: Policy = POLICY
) -> FieldErrors:
    result = apply_conditions(terms, form, today, policy)
    assert isinstance(result, dict), result
    return result


# --- each condition alone -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "change"),
    [
        (
            ConditionsForm(start_date=date(2027, 3, 1)),
            TermChange("start_date", START, date(2027, 3, 1)),
        ),
        (ConditionsForm(handover_weeks="4"), TermChange("handover_weeks", 2, 4)),
        (
            ConditionsForm(end_date=date(2027, 5, 31)),
            TermChange("end_date", END, date(2027, 5, 31)),
        ),
        (ConditionsForm(time_commitment="50"), TermChange("time_commitment", 60, 50)),
    ],
    ids=["later-start", "handover", "shorter-term", "part-time"],
)
def test_each_condition_alone_changes_exactly_its_field(
    form: ConditionsForm, change: TermChange
) -> None:
    assert diff_terms(TERMS, applied(form)) == [change]


def test_whitespace_around_numbers_is_ignored() -> None:
    terms = applied(ConditionsForm(handover_weeks=" 3 ", time_commitment=" 80\n"))

    assert (terms.handover_weeks, terms.time_commitment) == (3, 80)


def test_a_handover_is_added_to_terms_that_had_none() -> None:
    no_handover = replace(TERMS, handover_weeks=None)

    result = apply_conditions(no_handover, ConditionsForm(handover_weeks="1"), TODAY, POLICY)

    assert isinstance(result, tuple)
    assert diff_terms(no_handover, result[0]) == [TermChange("handover_weeks", None, 1)]


def test_all_conditions_together_are_all_applied() -> None:
    form = ConditionsForm(
        start_date=date(2027, 3, 1),
        handover_weeks="6",
        end_date=date(2027, 6, 30),
        time_commitment="100",
    )

    assert [c.field for c in diff_terms(TERMS, applied(form))] == [
        "start_date",
        "end_date",
        "time_commitment",
        "handover_weeks",
    ]


@pytest.mark.parametrize("weeks", ["1", "26"])
def test_handover_at_its_bounds_is_accepted(weeks: str) -> None:
    assert applied(ConditionsForm(handover_weeks=weeks)).handover_weeks == int(weeks)


@pytest.mark.parametrize("share", ["10", "100"])
def test_share_at_its_bounds_is_accepted(share: str) -> None:
    assert applied(ConditionsForm(time_commitment=share)).time_commitment == int(share)


def test_a_later_start_of_today_is_accepted() -> None:
    terms = replace(TERMS, start_date=date(2027, 1, 1))

    result = apply_conditions(terms, ConditionsForm(start_date=TODAY), TODAY, POLICY)

    assert isinstance(result, tuple)
    assert result[0].start_date == TODAY


def test_a_term_of_exactly_the_minimum_is_accepted() -> None:
    # 1 to 14 February counts both days: 14 days.
    assert applied(ConditionsForm(end_date=date(2027, 2, 14))).days == POLICY.min_term_days


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize("start", [START, date(2027, 1, 20)], ids=["same", "earlier"])
def test_a_later_start_not_after_the_current_start_is_refused(start: date) -> None:
    errors = errors_of(ConditionsForm(start_date=start))

    assert list(errors) == ["start_date"]
    assert "after the current start date" in errors["start_date"]


def test_a_later_start_in_the_past_is_refused() -> None:
    # The request has been waiting past its start: a later start must still not be in the past.
    errors = errors_of(ConditionsForm(start_date=date(2027, 2, 15)), today=date(2027, 3, 1))

    assert list(errors) == ["start_date"]
    assert "past" in errors["start_date"]


@pytest.mark.parametrize("end", [END, date(2027, 8, 31)], ids=["same", "longer"])
def test_a_shorter_term_not_before_the_current_end_is_refused(end: date) -> None:
    errors = errors_of(ConditionsForm(end_date=end))

    assert list(errors) == ["end_date"]
    assert "before the current end date" in errors["end_date"]


@pytest.mark.parametrize("weeks", ["0", "27", "-1", "two", "1.5"])
def test_an_out_of_range_handover_is_refused(weeks: str) -> None:
    errors = errors_of(ConditionsForm(handover_weeks=weeks))

    assert errors == {"handover_weeks": "Enter a whole number from 1 to 26."}


@pytest.mark.parametrize("share", ["9", "0", "101", "half"])
def test_an_out_of_range_share_is_refused(share: str) -> None:
    errors = errors_of(ConditionsForm(time_commitment=share))

    assert errors == {"time_commitment": "Enter a whole number from 10 to 100."}


def test_a_shorter_term_under_the_minimum_is_refused() -> None:
    errors = errors_of(ConditionsForm(end_date=date(2027, 2, 13)))  # 13 days

    assert list(errors) == ["end_date"]
    assert "under 14 days" in errors["end_date"]


def test_a_later_start_that_leaves_less_than_the_minimum_is_refused() -> None:
    errors = errors_of(ConditionsForm(start_date=date(2027, 7, 20)))  # 20 to 30 July

    assert list(errors) == ["end_date"]
    assert "under 14 days" in errors["end_date"]


def test_the_minimum_follows_the_policy() -> None:
    form = ConditionsForm(end_date=date(2027, 3, 31))  # 59 days

    assert "under 60 days" in errors_of(form, policy=Policy(min_term_days=60))["end_date"]
    assert applied(form, policy=Policy(min_term_days=59)).days == 59


def test_conditions_that_end_the_term_before_it_starts_are_refused() -> None:
    form = ConditionsForm(start_date=date(2027, 6, 1), end_date=date(2027, 5, 1))

    errors = errors_of(form)

    assert list(errors) == ["end_date"]
    assert "before the start date" in errors["end_date"]


@pytest.mark.parametrize(
    "form",
    [
        ConditionsForm(),
        ConditionsForm(handover_weeks="2"),
        ConditionsForm(time_commitment="60"),
        ConditionsForm(handover_weeks="  ", time_commitment="", note="Just a note"),
    ],
    ids=["empty", "same-handover", "same-share", "blank-values-and-a-note"],
)
def test_conditions_that_change_nothing_are_refused(form: ConditionsForm) -> None:
    errors = errors_of(form)

    assert errors == {"start_date": "Set at least one condition that changes the terms."}


def test_several_bad_conditions_are_each_reported_on_their_field() -> None:
    form = ConditionsForm(start_date=START, end_date=END, handover_weeks="99", time_commitment="1")

    assert set(errors_of(form)) == {"start_date", "end_date", "handover_weeks", "time_commitment"}


def test_a_note_over_its_limit_is_refused() -> None:
    form = ConditionsForm(handover_weeks="4", note="x" * (CHANGE_NOTE_MAX + 1))

    errors = errors_of(form)

    assert list(errors) == ["note"]
    assert str(CHANGE_NOTE_MAX) in errors["note"]


# --- the note -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("note", "cleaned"),
    [
        ("  Release after the Q1 close.\n", "Release after the Q1 close."),
        ("x" * CHANGE_NOTE_MAX, "x" * CHANGE_NOTE_MAX),
        ("   ", None),
        ("", None),
        (None, None),
    ],
    ids=["stripped", "at-limit", "blank", "empty", "none"],
)
def test_the_note_is_returned_cleaned(note: str | None, cleaned: str | None) -> None:
    result = apply_conditions(TERMS, ConditionsForm(handover_weeks="4", note=note), TODAY, POLICY)

    assert isinstance(result, tuple)
    assert result[1] == cleaned


# --- diff_terms -----------------------------------------------------------------------------


def test_identical_terms_have_no_changes() -> None:
    assert diff_terms(TERMS, replace(TERMS)) == []


def test_changes_are_listed_in_form_order_with_old_and_new_values() -> None:
    new = replace(
        TERMS,
        handover_weeks=None,
        kind=Kind.EXTERNAL,
        end_date=date(2027, 6, 30),
        reporting_line="Head of Data",
    )

    assert diff_terms(TERMS, new) == [
        TermChange("kind", Kind.INTERNAL, Kind.EXTERNAL),
        TermChange("end_date", END, date(2027, 6, 30)),
        TermChange("reporting_line", None, "Head of Data"),
        TermChange("handover_weeks", 2, None),
    ]


def test_diff_runs_both_ways() -> None:
    new = replace(TERMS, role_title="Data engineer")

    assert diff_terms(new, TERMS) == [TermChange("role_title", "Data engineer", TERMS.role_title)]


# --- validate_delegate ----------------------------------------------------------------------

MANAGER, EMPLOYEE, OTHER = "UHOME", "UEMP", "UHOST"


def check_delegate(candidate: Person | None, *, others: set[str] | None = None) -> FieldErrors:
    return validate_delegate(
        candidate,
        manager_id=MANAGER,
        employee_id=EMPLOYEE,
        other_deciders={OTHER} if others is None else others,
    )


def test_a_colleague_who_can_decide_is_accepted() -> None:
    assert check_delegate(Person("UDEL", tz="Europe/London")) == {}


def test_the_manager_taking_the_decision_back_is_accepted() -> None:
    assert check_delegate(Person(MANAGER)) == {}


def test_a_person_unknown_to_slack_is_refused() -> None:
    errors = check_delegate(None)

    assert list(errors) == ["delegate"]
    assert "can't find" in errors["delegate"]


def test_the_employee_is_refused() -> None:
    errors = check_delegate(Person(EMPLOYEE))

    assert errors == {"delegate": "The employee can't decide their own request."}


@pytest.mark.parametrize("other", [OTHER, "UHOSTDEL"], ids=["other-manager", "other-delegate"])
def test_whoever_decides_the_other_side_is_refused(other: str) -> None:
    errors = check_delegate(Person(other), others={OTHER, "UHOSTDEL"})

    assert list(errors) == ["delegate"]
    assert "other side" in errors["delegate"]


@pytest.mark.parametrize(
    "candidate",
    [Person("UBOT", is_bot=True), Person("UGONE", deleted=True)],
    ids=["bot", "deactivated"],
)
def test_an_account_that_cannot_decide_is_refused(candidate: Person) -> None:
    errors = check_delegate(candidate)

    assert list(errors) == ["delegate"]
    assert "can't decide" in errors["delegate"]
