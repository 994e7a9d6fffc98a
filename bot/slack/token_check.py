"""One workspace (a bot token in the settings): when Slack accepts the token at start, a pause
that an earlier, refused token left (bot/services/pauses.py) is lifted, and the nudges that
waited go out. In OAuth mode a reinstall does this instead (bot/slack/workspaces.py)."""

from __future__ import annotations

import logging

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.services.pauses import resume
from bot.slack.deps import Deps

log = logging.getLogger(__name__)


async def resume_if_the_token_works(client: AsyncWebClient, deps: Deps) -> bool:
    """Ask Slack who the token is (`auth.test`); True when that lifted a pause."""
    try:
        identity = await client.auth_test()
    except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
        log.warning("Slack did not confirm the bot token at start: %s", error)
        return False
    team_id = identity.get("team_id")
    if not isinstance(team_id, str):
        return False
    resumed = await resume(
        deps.sessions, team_id=team_id, why="token accepted at start", now=deps.clock.now()
    )
    if resumed:
        log.info("delivery to workspace %s resumed: Slack accepts the bot token", team_id)
    return resumed
