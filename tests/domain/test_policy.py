"""Policy notes, date arithmetic on terms, and "today" where each person is.

Notes are advice shown on a request (never a refusal); `add_months` decides when a term reaches
the return-rights threshold; `today_for` decides which day counts as "today" for a start date.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot.domain.people import Person, today_for
from bot.domain.policy import Policy, policy_notes
from bot.domain.terms import Kind, ReturnArrangement, add_months
from tests.support import samples
from tests.support.samples import START

# A short internal term whose return arrangement does not trigger the same-role sentence.
TERMS = replace(samples.TERMS, return_arrangement=ReturnArrangement.SAME_GRADE, time_commitment=100)


# --- policy_notes -----------------------------------------------------------------------------


def test_short_internal_term_has_no_notes() -> None:
    assert policy_notes(TERMS, Policy()) == []


def test_term_reaching_return_rights_months_gets_a_note_naming_the_months() -> None:
    policy = Policy(return_rights_months=12)
    terms = replace(TERMS, end_date=add_months(START, 12))

    (note,) = policy_notes(terms, policy)

    assert "12 months" in note
    assert "same grade" in note
    assert "Confirm with HR" not in note


def test_return_rights_note_follows_the_policy_months() -> None:
    terms = replace(TERMS, end_date=add_months(START, 6))

    assert policy_notes(terms, Policy(return_rights_months=12)) == []
    (note,) = policy_notes(terms, Policy(return_rights_months=6))
    assert "6 months" in note


def test_same_role_return_on_a_long_term_adds_a_sentence() -> None:
    long_term = replace(TERMS, end_date=add_months(START, 18))
    same_grade = policy_notes(long_term, Policy())
    same_role = policy_notes(
        replace(long_term, return_arrangement=ReturnArrangement.SAME_ROLE), Policy()
    )

    assert len(same_role) == len(same_grade) == 1
    assert same_role[0].startswith(same_grade[0])
    assert same_role[0].endswith(
        "Confirm with HR that a return to the same role can be guaranteed."
    )


def test_same_role_return_on_a_short_term_has_no_note() -> None:
    terms = replace(TERMS, return_arrangement=ReturnArrangement.SAME_ROLE)

    assert policy_notes(terms, Policy()) == []


def test_external_secondment_gets_a_note() -> None:
    (note,) = policy_notes(replace(TERMS, kind=Kind.EXTERNAL), Policy())

    assert "another organisation" in note
    assert "HR" in note


def test_long_external_secondment_gets_both_notes() -> None:
    terms = replace(TERMS, kind=Kind.EXTERNAL, end_date=add_months(START, 24))

    notes = policy_notes(terms, Policy())

    assert len(notes) == 2
    assert "months" in notes[0]
    assert "another organisation" in notes[1]


# --- add_months -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),  # clamped to a short February
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # 2028 is a leap year
        (date(2027, 8, 31), 1, date(2027, 9, 30)),  # clamped to a 30-day month
        (date(2027, 12, 15), 1, date(2028, 1, 15)),  # December rolls into the next year
        (date(2027, 11, 30), 14, date(2029, 1, 30)),  # more than a year ahead
        (date(2027, 2, 1), 12, date(2028, 2, 1)),
        (date(2027, 3, 10), 0, date(2027, 3, 10)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_add_months_from_a_leap_day_lands_on_the_last_day_of_february() -> None:
    assert add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)


# --- Terms ------------------------------------------------------------------------------------


def test_days_count_both_the_first_and_the_last_day() -> None:
    assert replace(TERMS, end_date=START).days == 1
    assert replace(TERMS, end_date=date(2027, 2, 14)).days == 14
    # 2028 has a 29 February.
    leap = replace(TERMS, start_date=date(2028, 1, 1), end_date=date(2028, 12, 31))
    assert leap.days == 366


def test_time_commitment_label() -> None:
    assert replace(TERMS, time_commitment=100).time_commitment_label == "Full time"
    assert replace(TERMS, time_commitment=50).time_commitment_label == "50% of full time"
    assert replace(TERMS, time_commitment=10).time_commitment_label == "10% of full time"


# --- today_for --------------------------------------------------------------------------------

# 03:00 UTC on Tuesday 5 January: still Monday evening on the US west coast.
JUST_AFTER_MIDNIGHT_UTC = datetime(2027, 1, 5, 3, 0, tzinfo=UTC)
# 20:00 UTC on Monday 4 January: already Tuesday morning in Brisbane.
EVENING_UTC = datetime(2027, 1, 4, 20, 0, tzinfo=UTC)


def test_today_for_a_user_at_utc_minus_8_is_behind_utc() -> None:
    person = Person("U1", tz="America/Los_Angeles")  # UTC-8 in January

    assert today_for(person, JUST_AFTER_MIDNIGHT_UTC) == date(2027, 1, 4)
    assert today_for(person, EVENING_UTC) == date(2027, 1, 4)


def test_today_for_a_user_at_utc_plus_10_is_ahead_of_utc() -> None:
    person = Person("U1", tz="Australia/Brisbane")  # UTC+10, no daylight saving

    assert today_for(person, EVENING_UTC) == date(2027, 1, 5)
    assert today_for(person, datetime(2027, 1, 4, 13, 59, tzinfo=UTC)) == date(2027, 1, 4)
    assert today_for(person, datetime(2027, 1, 4, 14, 0, tzinfo=UTC)) == date(2027, 1, 5)


@pytest.mark.parametrize("tz", ["Mars/Olympus_Mons", "not a zone", "../../etc/passwd", "", None])
def test_today_for_an_unknown_or_missing_timezone_falls_back_to_utc(tz: str | None) -> None:
    person = Person("U1", tz=tz)

    assert today_for(person, JUST_AFTER_MIDNIGHT_UTC) == date(2027, 1, 5)
    assert today_for(person, EVENING_UTC) == date(2027, 1, 4)


def test_a_calendar_year_counts_as_twelve_months_away() -> None:
    # The end date is the last day worked: 1 Jan to 31 Dec is a full twelve months.
    year = replace(TERMS, start_date=date(2027, 1, 1), end_date=date(2027, 12, 31))
    a_day_short = replace(year, end_date=date(2027, 12, 30))

    assert len(policy_notes(year, Policy())) == 1
    assert policy_notes(a_day_short, Policy()) == []
