"""HR's written rules on terms and extensions, enforced where HR turns them on (POLICY_*; all off
by default). Published secondment policies set a longest term (often two years), a longest
extension (often six months), a lead time for asking to extend (six weeks to three months
before the end), and a length after which a secondment is treated as a permanent move and
reviewed as one.

Each check returns the rules a request or extension breaks, each as the sentence a person
reads on the field it concerns: what the rule is, what this request does, and what would keep
within it. Pure functions of the dates, today and the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.counts import count_of
from bot.domain.days import written_day
from bot.domain.terms import add_months


@dataclass(frozen=True, slots=True)
class HrRules:
    """HR's rules; None: not enforced."""

    max_term_months: int | None = None
    max_extension_months: int | None = None
    extension_notice_weeks: int | None = None
    open_ended_review_months: int | None = None

    @property
    def any(self) -> bool:
        """Whether any of HR's rules is in force."""
        return any(
            rule is not None
            for rule in (
                self.max_term_months,
                self.max_extension_months,
                self.extension_notice_weeks,
                self.open_ended_review_months,
            )
        )

    def described(self) -> list[str]:
        """Each rule in force, in plain words (for `/secondment help`)."""
        described = []
        if self.max_term_months is not None:
            months = count_of(self.max_term_months, "month")
            described.append(f"a secondment lasts at most {months}, extensions included")
        if self.max_extension_months is not None:
            months = count_of(self.max_extension_months, "month")
            described.append(f"an extension adds at most {months}")
        if self.extension_notice_weeks is not None:
            weeks = count_of(self.extension_notice_weeks, "week")
            described.append(f"an extension is proposed at least {weeks} before the end")
        if self.open_ended_review_months is not None:
            months = count_of(self.open_ended_review_months, "month")
            described.append(f"a secondment of {months} or more is reviewed as a permanent move")
        return described


@dataclass(frozen=True, slots=True)
class PolicyException:
    """Terms outside HR's rules, asked for all the same: the rules they break, and why HR should
    allow it. HR then approves the terms too, as a third approver."""

    rules: str
    reason: str


def last_day_within(start: date, months: int) -> date:
    """The last end date of a term of `months` from `start` (the end date is the last day
    worked: 1 January to 31 December is twelve months)."""
    return add_months(start, months) - timedelta(days=1)


def term_breaks(start: date, end: date, rules: HrRules) -> list[str]:
    """The rules a term from `start` to `end` breaks, as said on its end date."""
    broken = []
    if rules.max_term_months is not None:
        latest = last_day_within(start, rules.max_term_months)
        if end > latest:
            broken.append(
                f"HR's rule: a secondment lasts at most "
                f"{count_of(rules.max_term_months, 'month')}, so from this start it ends by "
                f"{written_day(latest)}."
            )
    if rules.open_ended_review_months is not None:
        # "N months or more": a term of exactly N months is reviewed too.
        latest = last_day_within(start, rules.open_ended_review_months) - timedelta(days=1)
        if end > latest:
            broken.append(
                f"HR's rule: a secondment of "
                f"{count_of(rules.open_ended_review_months, 'month')} or more is reviewed as a "
                f"permanent move, so from this start it ends by {written_day(latest)}."
            )
    return broken


def extension_breaks(
    start: date, current_end: date, new_end: date, today: date, rules: HrRules
) -> list[str]:
    """The rules an extension from `current_end` to `new_end`, proposed `today`, breaks."""
    broken = []
    if rules.max_extension_months is not None:
        latest = last_day_within(current_end + timedelta(days=1), rules.max_extension_months)
        if new_end > latest:
            broken.append(
                f"HR's rule: an extension adds at most "
                f"{count_of(rules.max_extension_months, 'month')}, so it ends by "
                f"{written_day(latest)}."
            )
    if rules.extension_notice_weeks is not None:
        deadline = current_end - timedelta(weeks=rules.extension_notice_weeks)
        if today > deadline:
            broken.append(
                f"HR's rule: an extension is proposed at least "
                f"{count_of(rules.extension_notice_weeks, 'week')} before the end, so by "
                f"{written_day(deadline)}."
            )
    return broken + term_breaks(start, new_end, rules)
