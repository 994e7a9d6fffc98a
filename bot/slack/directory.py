"""Looking people up with users.info, for the rules that depend on who someone is, through a
short-lived cache: a form answered within Slack's three seconds seldom has to wait for Slack.

Who is a bot, a deactivated account or in which timezone changes rarely, and a form names the
same managers again and again. What users.info said is kept for `TTL_SECONDS` per workspace (a
user id outside Enterprise Grid belongs to one), so a second form naming them asks Slack nothing.
An account deactivated meanwhile is caught when the bot next writes to it: the approval thread
will not open, and the employee and HR are told (bot/slack/failures.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.field_checks import FieldErrors
from bot.domain.hr_rules import PolicyException
from bot.domain.people import Person, today_for
from bot.domain.policy import Policy
from bot.domain.request_form import (
    RequestForm,
    validate_check_in_weeks,
    validate_exception,
    validate_request,
)
from bot.domain.terms import Terms

# How long a form waits for users.info before it is answered: Slack wants the answer within 3 s,
# and the client would otherwise wait out a rate limit's Retry-After.
LOOKUP_SECONDS = 1.5
TTL_SECONDS = 300.0
# People kept at most; past it, the longest kept are dropped first.
MOST_KEPT = 10_000


@dataclass
class Directory:
    """What Slack said about each person lately, by workspace and user id."""

    ttl_seconds: float = TTL_SECONDS
    monotonic: Callable[[], float] = time.monotonic
    _known: dict[tuple[str, str], tuple[float, Person]] = field(default_factory=dict)

    async def people(
        self, client: AsyncWebClient, team_id: str, user_ids: Iterable[str]
    ) -> dict[str, Person]:
        """The people Slack knows, by id (one it does not know is left out), from the cache or
        else from users.info, with no time limit but Slack's."""
        now = self.monotonic()
        found: dict[str, Person] = {}
        asked: list[str] = []
        for user_id in sorted(set(user_ids)):
            kept = self._known.get((team_id, user_id))
            if kept is not None and now - kept[0] < self.ttl_seconds:
                found[user_id] = kept[1]
            else:
                asked.append(user_id)
        for person in await asyncio.gather(*(_lookup(client, user_id) for user_id in asked)):
            if person is not None:
                found[person.id] = person
                self._keep(team_id, person, now)
        return found

    async def people_in_time(
        self, client: AsyncWebClient, team_id: str, user_ids: Iterable[str]
    ) -> dict[str, Person] | None:
        """`people`, or None when Slack did not answer in `LOOKUP_SECONDS`."""
        try:
            async with asyncio.timeout(LOOKUP_SECONDS):
                return await self.people(client, team_id, user_ids)
        except TimeoutError:
            return None

    def _keep(self, team_id: str, person: Person, now: float) -> None:
        key = (team_id, person.id)
        self._known.pop(key, None)  # re-inserted last: the dict keeps the oldest first
        self._known[key] = (now, person)
        while len(self._known) > MOST_KEPT:
            del self._known[next(iter(self._known))]


async def _lookup(client: AsyncWebClient, user_id: str) -> Person | None:
    try:
        response = await client.users_info(user=user_id)
    except SlackApiError as exc:
        if exc.response.get("error") in ("user_not_found", "user_not_visible"):
            return None
        raise
    user = response["user"]
    return Person(
        id=user["id"],
        is_bot=bool(user.get("is_bot")) or user["id"] == "USLACKBOT",
        deleted=bool(user.get("deleted")),
        tz=user.get("tz"),
    )


@dataclass(frozen=True, slots=True)
class CheckedRequest:
    """A submitted request, checked: its terms or what to fix, and the people Slack described."""

    terms: Terms | FieldErrors
    people: tuple[Person, ...]  # as Slack described them, for the people cache
    check_in_weeks: int | None = None
    # Named people Slack did not describe in time: checked after the answer, before the thread.
    unchecked: tuple[str, ...] = ()
    # An exception to HR's rules, asked for with the terms.
    exception: PolicyException | None = None


async def check_request(
    directory: Directory,
    client: AsyncWebClient,
    team_id: str,
    form: RequestForm,
    employee_id: str,
    policy: Policy,
    now: datetime,
) -> CheckedRequest:
    """Validate a submitted request against the rules, with the named people looked up in Slack
    and "today" taken in the employee's own timezone.

    When Slack is too slow to describe them before the form must be answered, the request is
    taken as if they could decide (and "today" is UTC's): the delivery checks them before it
    opens the approval thread, so nothing reaches the managers until they pass."""
    named = [user_id for user_id in (form.home_manager_id, form.host_manager_id) if user_id]
    found = await directory.people_in_time(client, team_id, [employee_id, *named])
    unchecked = tuple(sorted(set(named))) if found is None else ()
    people = {p: Person(p) for p in named} if found is None else found
    employee = people.get(employee_id, Person(employee_id))
    terms = validate_request(
        form, employee=employee, people=people, today=today_for(employee, now), policy=policy
    )
    weeks = validate_check_in_weeks(form)
    if isinstance(weeks, dict):
        terms = {**weeks, **(terms if isinstance(terms, dict) else {})}
        weeks = None
    exception = validate_exception(form, policy)
    if isinstance(exception, dict):
        terms = {**exception, **(terms if isinstance(terms, dict) else {})}
        exception = None
    known = () if unchecked else tuple(people.values())
    return CheckedRequest(terms, known, weeks, unchecked, exception)
