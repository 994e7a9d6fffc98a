"""HR's written rules, pure: which a term or an extension breaks, on the boundary days."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.hr_rules import HrRules, extension_breaks, last_day_within, term_breaks

START = date(2027, 2, 1)


def test_a_term_of_n_months_ends_the_day_before_the_same_date_n_months_on() -> None:
    assert last_day_within(date(2027, 1, 1), 12) == date(2027, 12, 31)
    assert last_day_within(date(2027, 8, 31), 6) == date(2028, 2, 28)  # no 31 Feb


@pytest.mark.parametrize(
    ("end", "broken"),
    [(date(2029, 1, 31), 0), (date(2029, 2, 1), 1), (date(2030, 1, 1), 1)],
)
def test_the_longest_term_holds_to_its_last_day(end: date, broken: int) -> None:
    assert len(term_breaks(START, end, HrRules(max_term_months=24))) == broken


def test_a_term_reviewed_as_permanent_says_so_and_by_when() -> None:
    (said,) = term_breaks(START, date(2028, 3, 31), HrRules(open_ended_review_months=12))

    assert said == (
        "HR's rule: a secondment of 12 months or more is reviewed as a permanent move, so from "
        "this start it ends by Sun 30 Jan 2028."
    )


@pytest.mark.parametrize(("end", "broken"), [(date(2027, 12, 30), 0), (date(2027, 12, 31), 1)])
def test_a_term_of_exactly_the_review_length_is_reviewed(end: date, broken: int) -> None:
    """1 January to 31 December is twelve months: "12 months or more" takes it in."""
    rules = HrRules(open_ended_review_months=12)

    assert len(term_breaks(date(2027, 1, 1), end, rules)) == broken


def test_no_rules_break_nothing() -> None:
    assert term_breaks(START, date(2040, 1, 1), HrRules()) == []
    assert (
        extension_breaks(START, date(2027, 7, 30), date(2040, 1, 1), date(2027, 7, 29), HrRules())
        == []
    )
    assert not HrRules().any and HrRules(extension_notice_weeks=6).any


def test_an_extension_counts_the_whole_term_too() -> None:
    rules = HrRules(max_term_months=12, max_extension_months=6)

    broken = extension_breaks(START, date(2027, 10, 29), date(2028, 3, 31), date(2027, 6, 1), rules)

    assert broken == [
        "HR's rule: a secondment lasts at most 12 months, so from this start it ends by "
        "Mon 31 Jan 2028."
    ]


@pytest.mark.parametrize(("today", "late"), [(date(2027, 6, 18), False), (date(2027, 6, 19), True)])
def test_the_notice_is_met_up_to_its_last_day(today: date, late: bool) -> None:
    rules = HrRules(extension_notice_weeks=6)

    broken = extension_breaks(START, date(2027, 7, 30), date(2027, 9, 30), today, rules)

    assert bool(broken) is late


def test_the_rules_are_described_with_their_plurals() -> None:
    rules = HrRules(max_term_months=1, max_extension_months=1, extension_notice_weeks=1)

    assert rules.described() == [
        "a secondment lasts at most 1 month, extensions included",
        "an extension adds at most 1 month",
        "an extension is proposed at least 1 week before the end",
    ]
