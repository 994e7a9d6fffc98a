"""Looking people up with users.info, for the rules that depend on who someone is."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.errors import InvalidInput
from bot.domain.people import Person, today_for
from bot.domain.policy import Policy
from bot.domain.terms import Terms
from bot.domain.validation import (
    FieldErrors,
    RequestForm,
    validate_check_in_weeks,
    validate_request,
)

# How long a form waits for users.info before it is answered: Slack wants the answer within 3 s,
# and the client would otherwise wait out a rate limit's Retry-After.
LOOKUP_SECONDS = 1.5
SLACK_SLOW = "Slack did not answer in time to check this person. Please submit again in a moment."


async def lookup_people(
    client: AsyncWebClient, user_ids: Iterable[str], *, fields: Iterable[str]
) -> dict[str, Person]:
    """The people Slack knows, by id; an id Slack does not know is left out. When Slack is too
    slow to answer before the form must be, `InvalidInput` on `fields` says to submit again:
    the modal stays open with everything typed in it."""
    found = await _lookup_in_time(client, user_ids)
    if found is None:
        raise InvalidInput(dict.fromkeys(fields, SLACK_SLOW))
    return found


async def lookup_people_after(client: AsyncWebClient, user_ids: Iterable[str]) -> dict[str, Person]:
    """`lookup_people` after the answer, with no time limit but Slack's."""
    unique = sorted(set(user_ids))
    found = await asyncio.gather(*(_lookup(client, user_id) for user_id in unique))
    return {person.id: person for person in found if person is not None}


async def _lookup_in_time(
    client: AsyncWebClient, user_ids: Iterable[str]
) -> dict[str, Person] | None:
    """The people Slack knows, by id; None when Slack did not answer in `LOOKUP_SECONDS`."""
    try:
        async with asyncio.timeout(LOOKUP_SECONDS):
            return await lookup_people_after(client, user_ids)
    except TimeoutError:
        return None


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
    terms: Terms | FieldErrors
    people: tuple[Person, ...]  # as Slack described them, for the people cache
    check_in_weeks: int | None = None
    # Named people Slack did not describe in time: checked after the answer, before the thread.
    unchecked: tuple[str, ...] = ()


async def check_request(
    client: AsyncWebClient, form: RequestForm, employee_id: str, policy: Policy, now: datetime
) -> CheckedRequest:
    """Validate a submitted request against the rules, with the named people looked up in Slack
    and "today" taken in the employee's own timezone.

    When Slack is too slow to describe them before the form must be answered, the request is
    taken as if they could decide (and "today" is UTC's): the delivery checks them before it
    opens the approval thread, so nothing reaches the managers until they pass."""
    named = [user_id for user_id in (form.home_manager_id, form.host_manager_id) if user_id]
    found = await _lookup_in_time(client, [employee_id, *named])
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
    known = () if unchecked else tuple(people.values())
    return CheckedRequest(terms, known, weeks, unchecked)
