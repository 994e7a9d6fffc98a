"""Trying a paused workspace again (bot/services/pauses.py) when the bot holds a token for it
that Slack has not refused yet: a reinstall in OAuth mode, a new `SLACK_BOT_TOKEN`, or a replica
started with a newer token than the one that paused it. One `auth.test` per new token; the same
refused token is never tried twice. Runs at the start of each sweep."""

from __future__ import annotations

import logging
from datetime import datetime

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.services.pauses import Paused, fingerprint, paused_workspaces, refused_again, resume
from bot.slack.deps import Deps

log = logging.getLogger(__name__)


async def recheck_paused(client: AsyncWebClient, deps: Deps, now: datetime) -> list[Paused]:
    """Resume each paused workspace whose current token Slack now accepts; returns the ones
    still paused."""
    still: list[Paused] = []
    for paused in await paused_workspaces(deps.sessions):
        current = (
            client if deps.workspaces is None else await deps.workspaces.client_for(paused.team_id)
        )
        token = fingerprint(current.token) if current is not None else None
        if current is None or token is None or token == paused.token_fingerprint:
            still.append(paused)  # no token, or the very one Slack refused
            continue
        try:
            identity = await current.auth_test()
        except SlackApiError as refused:
            log.warning(
                "workspace %s still paused: %s", paused.team_id, refused.response.get("error")
            )
            await refused_again(deps.sessions, paused, token_fingerprint=token)
            still.append(paused)
            continue
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("could not ask Slack about workspace %s: %s", paused.team_id, error)
            still.append(paused)  # unknown: asked again at the next sweep
            continue
        if identity.get("team_id") == paused.team_id or deps.workspaces is not None:
            await resume(deps.sessions, team_id=paused.team_id, why="token accepted", now=now)
            log.info("delivery to workspace %s resumed: Slack accepts its token", paused.team_id)
        else:
            still.append(paused)  # this token is another workspace's
    return still
