"""Time away: a person's dates out of office, and who decides for them meanwhile.

docs/DOMAIN.md friction 3 (a request never left without a way forward): a manager away for two
weeks must not stall every decision. While someone is away nothing is sent to them; their
reminders wait until the first working day back. Their pending decisions go to the delegate they
named for the window and come back when it ends. Without a delegate, a decision whose wait
reaches HR's escalation during the absence goes to HR then, instead of waiting for the return.

An absence is a span of whole days where the person is: it begins at the start of its first day
and ends at the start of the day after its last, in their timezone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.domain.calendar import is_working_day, working_day_start
from bot.domain.field_checks import FieldErrors
from bot.domain.people import Person, zone_of
from bot.domain.policy import Policy
from bot.domain.record import SecondmentRecord
from bot.domain.states import Side

# Long enough for a sabbatical or parental leave, in one entry.
MAX_DAYS = 366
# Time away is entered ahead of time, but not so far ahead that nobody remembers it.
MAX_DAYS_AHEAD = 2 * 366


@dataclass(frozen=True, slots=True)
class AbsenceForm:
    """The time-away form as entered: days, and the delegate's Slack id if one was chosen."""

    first_day: date | None
    last_day: date | None
    delegate_id: str | None


@dataclass(frozen=True, slots=True)
class Away:
    """One stored span of time away, as the lists show it."""

    id: int
    first_day: date
    last_day: date
    delegate_id: str | None
    begun: bool  # the window has begun: decisions were handed over, if there was a delegate


@dataclass(frozen=True, slots=True)
class Window:
    """When an absence holds, as UTC: from the start of the working day on its first day to the
    start of the first working day after its last, where the person is. Decisions are handed
    over and back, and what waited for them goes, at those times: never at night."""

    starts_at: datetime
    ends_at: datetime


def window(first_day: date, last_day: date, tz: str | None, policy: Policy) -> Window:
    """When an absence of these days holds, for a person in timezone `tz`."""
    start = time(policy.workday_start_hour)
    return Window(
        datetime.combine(first_day, start, zone_of(tz)).astimezone(UTC),
        working_day_start(last_day + timedelta(days=1), tz, policy),
    )


def back_to_back(first_day: date, last_day: date, other: tuple[date, date], policy: Policy) -> bool:
    """Whether two spans of time away overlap, or meet with no working day between them (a
    Friday and the Monday after): entered apart, they would hand decisions back and over again
    on the same morning."""
    earlier, later = sorted([(first_day, last_day), other])
    if later[0] <= earlier[1]:
        return True
    day = earlier[1] + timedelta(days=1)
    while day < later[0]:
        if is_working_day(day, policy):
            return False
        day += timedelta(days=1)
    return True


def validate_absence(
    first_day: date | None,
    last_day: date | None,
    *,
    person_id: str,
    today: date,
    others: Iterable[tuple[date, date]],
    delegate: Person | None,
    delegate_named: bool,
    policy: Policy,
) -> FieldErrors:
    """What is wrong with an absence as entered, by field: `others` are the person's absences
    still to come or under way; `delegate` is Slack's word on the person named, if one was."""
    errors: FieldErrors = {}
    if first_day is None:
        errors["first_day"] = "Choose the first day you are away."
    if last_day is None:
        errors["last_day"] = "Choose the last day you are away."
    if first_day and last_day:
        if last_day < first_day:
            errors["last_day"] = "The last day is before the first day."
        elif last_day < today:
            errors["last_day"] = "This time away is already over. Choose dates from today on."
        elif (last_day - first_day).days + 1 > MAX_DAYS:
            errors["last_day"] = f"Keep one absence to {MAX_DAYS} days or fewer."
        elif (first_day - today).days > MAX_DAYS_AHEAD:
            errors["first_day"] = "Enter time away up to two years ahead."
        else:
            clash = next((o for o in others if back_to_back(first_day, last_day, o, policy)), None)
            if clash is not None:
                errors["first_day"] = (
                    f"This overlaps or runs on from your time away {day_span(*clash)}. Cancel "
                    "that, and enter the whole time away as one."
                )
    if delegate_named:
        problem = _delegate_problem(delegate, person_id)
        if problem:
            errors["delegate"] = problem
    return errors


def day_span(first_day: date, last_day: date) -> str:
    """ "Tue 5 Jan 2027 to Fri 8 Jan 2027", or one day."""
    if first_day == last_day:
        return f"{first_day:%a %-d %b %Y}"
    return f"{first_day:%a %-d %b %Y} to {last_day:%a %-d %b %Y}"


def _delegate_problem(delegate: Person | None, person_id: str) -> str | None:
    if delegate is None:
        return "I can't find this person in Slack. Choose them again."
    if delegate.id == person_id:
        return "Choose someone else, or leave this empty: HR steps in if a decision waits."
    if not delegate.can_decide:
        return "This account can't decide: it is a bot or has been deactivated."
    return None


@dataclass(frozen=True, slots=True)
class Handed:
    """A side handed to an absent manager's delegate (`returned` False), or back to them."""

    record: SecondmentRecord
    side: Side
    manager_id: str
    delegate_id: str
    last_day: date  # the last day of the time away
    returned: bool
    cancelled: bool = False  # given back because the time away was cancelled


@dataclass(frozen=True, slots=True)
class AwayChanged:
    """A person's time away after a change to it, and the hand-overs that change made (their
    requests' messages, written claimed, go out with `deliver_now`)."""

    ahead: list[Away]
    handed: list[Handed]
