"""Who and where a request comes from, read from Bolt's context."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.errors import UnreadableReference
from bot.slack.deps import Deps


def team_of(context: AsyncBoltContext) -> str:
    """The workspace a request belongs to; on Enterprise Grid, the org when there is no team."""
    team = context.team_id or context.enterprise_id
    if not team:
        raise ValueError("request carries no team or enterprise id")
    return str(team)


def user_of(context: AsyncBoltContext) -> str:
    if not context.user_id:
        raise ValueError("request carries no user id")
    return str(context.user_id)


async def is_hr(deps: Deps, client: AsyncWebClient, context: AsyncBoltContext) -> bool:
    return await deps.hr.is_hr(client, team_of(context), user_of(context))


def button_value(body: dict[str, Any]) -> str:
    """The value of the button clicked (the payload check made it a string, when there is one);
    `UnreadableReference` when the button carried none."""
    value = body["actions"][0].get("value")
    if not isinstance(value, str):
        raise UnreadableReference()
    return value
