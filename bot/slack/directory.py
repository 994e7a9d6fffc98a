"""Looking people up with users.info, for the rules that depend on who someone is."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.people import Person


async def lookup_people(client: AsyncWebClient, user_ids: Iterable[str]) -> dict[str, Person]:
    """The people Slack knows, by id. An id Slack does not know is left out."""
    unique = sorted(set(user_ids))
    found = await asyncio.gather(*(_lookup(client, user_id) for user_id in unique))
    return {person.id: person for person in found if person is not None}


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
