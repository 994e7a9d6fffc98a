"""A manager's conditions, turned into a proposed change of the terms (docs/DOMAIN.md friction 3: a
fair compromise is a later start, a handover period, a shorter term or a part-time split)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from bot.domain.counts import count_of
from bot.domain.field_checks import FieldChecker, FieldErrors
from bot.domain.policy import Policy
from bot.domain.terms import MAX_HANDOVER_WEEKS, MAX_TIME_COMMITMENT, MIN_TIME_COMMITMENT, Terms

CHANGE_NOTE_MAX = 1000


@dataclass(frozen=True, slots=True)
class ConditionsForm:
    """The conditions form as entered: each field left empty is a condition not asked for."""

    start_date: date | None = None  # a later start
    handover_weeks: str | None = None  # a handover period before the start
    end_date: date | None = None  # a shorter term
    time_commitment: str | None = None  # a part-time split
    note: str | None = None


def apply_conditions(
    terms: Terms, form: ConditionsForm, today: date, policy: Policy
) -> tuple[Terms, str | None] | FieldErrors:
    """The terms with the conditions applied, and the note that explains them."""
    check = FieldChecker()
    changed = terms
    if form.start_date is not None:
        if form.start_date <= terms.start_date:
            check.fail("start_date", "A later start must be after the current start date.")
        elif form.start_date < today:
            check.fail("start_date", "The start date is in the past.")
        else:
            changed = replace(changed, start_date=form.start_date)
    if form.end_date is not None:
        if form.end_date >= terms.end_date:
            check.fail("end_date", "A shorter term must end before the current end date.")
        else:
            changed = replace(changed, end_date=form.end_date)
    weeks = check.whole_number("handover_weeks", form.handover_weeks, 1, MAX_HANDOVER_WEEKS)
    if weeks is not None:
        changed = replace(changed, handover_weeks=weeks)
    share = check.whole_number(
        "time_commitment", form.time_commitment, MIN_TIME_COMMITMENT, MAX_TIME_COMMITMENT
    )
    if share is not None:
        changed = replace(changed, time_commitment=share)
    note = check.text("note", form.note, CHANGE_NOTE_MAX, required=False)
    if check.errors:
        return check.errors
    if changed.end_date < changed.start_date:
        check.fail("end_date", "With these conditions the end date falls before the start date.")
    elif changed.days < policy.min_term_days:
        check.fail(
            "end_date",
            f"With these conditions the term is under {count_of(policy.min_term_days, 'day')}.",
        )
    elif changed == terms:
        check.fail("start_date", "Set at least one condition that changes the terms.")
    return check.errors or (changed, note or None)
