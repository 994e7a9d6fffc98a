"""What a check-in's nudges may still do when their time comes, however late: after the bot was
down, or the clock jumped. The plan (bot/domain/underway_plan.py) says when each is due; these rules
say, at the moment one is claimed, whether it is still true to send it.

- A question goes out only while it is the current one: before the next check-in's day, and
  before the secondment's end date. After downtime only the latest is asked, once.
- A reminder follows its question by at least a working day, counted from when the question
  really went out, so the two never arrive together; a question never asked is never
  reminded of.
- A check-in is missed only if its question was asked and went unanswered for two working
  days (the reminder's, and one more). One never asked is skipped, never missed.
- The end-of-term question is asked only before the end date, and the first ask only until
  the second one's day: after downtime, whichever is current goes. It says "still undecided"
  only to someone who was asked before (bot/services/asked.py).
- The employee is asked one thing at a time: a check-in question that falls in the same
  working day as an end-of-term ask to them (after downtime both fall due at once) waits until
  the next working day, or is skipped if its check-in is no longer current by then.

They are pure functions of the plan, `now` and what was delivered (`Asked`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain.calendar import working_day_start, working_days_later
from bot.domain.kinds import NudgeKind
from bot.domain.nudge_catalogue import CHECK_IN_NUDGES
from bot.domain.people import zone_of
from bot.domain.policy import Policy
from bot.domain.underway_plan import END_DECISION_ASKS, check_in_day, end_decision_days

QUESTION = NudgeKind.CHECK_IN
REMINDERS = frozenset({NudgeKind.CHECK_IN_REMINDER, NudgeKind.CHECK_IN_SNOOZED})

# Why a check-in's nudge was skipped: recorded on it, so nobody reads a skip as a miss.
WINDOW_PASSED = "skipped: its check-in was no longer current"
NEVER_ASKED = "skipped: its check-in was never asked"
SKIPPED = frozenset({WINDOW_PASSED, NEVER_ASKED})  # done with: never planned again


@dataclass(frozen=True, slots=True)
class Asked:
    """What became of a check-in's question: when it went out, if it did, and whether it still
    may (False once it was skipped or cancelled unsent)."""

    sent_at: datetime | None
    may_still_go: bool


@dataclass(frozen=True, slots=True)
class Send:
    """Still true: send it now."""

    pass


@dataclass(frozen=True, slots=True)
class Wait:
    """Not yet: due again at `until`."""

    until: datetime


@dataclass(frozen=True, slots=True)
class Skip:
    """No longer true: never send it, and record `reason` on it."""

    reason: str


Verdict = Send | Wait | Skip


@dataclass(frozen=True, slots=True)
class CheckInTerms:
    """What the rules need of the secondment."""

    start_date: date
    end_date: date
    check_in_weeks: int


def current_until(terms: CheckInTerms, sequence: int, tz: str | None, policy: Policy) -> datetime:
    """When check-in `sequence` stops being the current one: the next one's day, or the end
    date, whichever comes first (at the start of a working day where the employee is)."""
    next_day = check_in_day(terms.start_date, terms.check_in_weeks, sequence + 1)
    return working_day_start(min(next_day, terms.end_date), tz, policy)


def check_in_verdict(
    kind: NudgeKind,
    sequence: int,
    asked: Asked,
    terms: CheckInTerms,
    now: datetime,
    tz: str | None,
    policy: Policy,
    end_asked_at: datetime | None = None,
) -> Verdict:
    """Whether check-in `sequence`'s nudge of `kind` goes out at `now` (see the module).
    `end_asked_at`: when the employee was last asked about the end of term (`now` for an ask
    going out with this nudge), if they were."""
    assert kind in CHECK_IN_NUDGES, kind
    current = now < current_until(terms, sequence, tz, policy)
    if kind is QUESTION:
        if not current:
            return Skip(WINDOW_PASSED)
        if end_asked_at is not None:
            after = working_days_later(end_asked_at, 1, tz, policy)
            if now < after:
                return Wait(after)
        return Send()
    if asked.sent_at is None:
        # The question has not gone out: wait for it, unless it never will.
        if not asked.may_still_go:
            return Skip(NEVER_ASKED)
        return Wait(working_days_later(now, 1 if kind in REMINDERS else 2, tz, policy))
    after = working_days_later(asked.sent_at, 1 if kind in REMINDERS else 2, tz, policy)
    if now < after:
        return Wait(after)
    if kind in REMINDERS and not current:
        return Skip(WINDOW_PASSED)
    return Send()


def end_ask_current(
    ask: int, end_date: date, now: datetime, tz: str | None, policy: Policy
) -> bool:
    """Whether end-of-term ask number `ask` is still the one to send at `now`: before the end
    date, and for all but the last ask, before the next ask's day (at the start of a working
    day where the recipient is)."""
    if now >= working_day_start(end_date, tz, policy):
        return False
    if ask >= END_DECISION_ASKS:
        return True
    next_ask = end_date - timedelta(days=end_decision_days(policy, ask + 1))
    return now < working_day_start(next_ask, tz, policy)


def arrives_late(day: date, now: datetime, tz: str | None, policy: Policy) -> bool:
    """Whether a message planned for `day` (or, if that is not a working day, the first working
    day after it) arrives on a later day where its reader is: its words then say when it
    happened ("started on …"), not "today"."""
    zone = zone_of(tz)
    planned = working_day_start(day, tz, policy).astimezone(zone).date()
    return now.astimezone(zone).date() > planned
