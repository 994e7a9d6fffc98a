"""Whether Slack accepts the bot's tokens.

At start, with one workspace, a `SLACK_BOT_TOKEN` that Slack refuses stops the bot with one line;
Slack not answering only warns (the bot serves, and asks again with the first request).

At each sweep, a paused workspace (bot/services/pauses.py) is tried again when the bot holds a
token for it that Slack has not refused yet: a reinstall in OAuth mode, a new `SLACK_BOT_TOKEN`,
or a replica started with a newer token than the one that paused it. One `auth.test` per new
token; the same refused token is never tried twice."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.services.pauses import Paused, fingerprint, paused_workspaces, refused_again, resume
from bot.settings import SettingsError
from bot.slack.deps import Deps

log = logging.getLogger(__name__)

# OAuth mode: the secondment's workspace has no installation (it uninstalled the app).
NOT_INSTALLED = "app_not_installed"
# Errors that say the workspace's token is no good: nothing can be sent there until it changes.
TOKEN_REFUSED = {
    "not_authed",
    "invalid_auth",
    "token_revoked",
    "token_expired",
    "account_inactive",  # the token's user or workspace was deleted
    NOT_INSTALLED,
}
# How long the start waits for Slack to confirm the token before serving anyway.
START_CHECK_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class TokenProblem:
    """What is wrong with asking Slack about `SLACK_BOT_TOKEN`, in one line; `refused`: Slack
    answered that the token is no good (else it did not answer, or not clearly)."""

    line: str
    refused: bool


async def token_problem(client: AsyncWebClient) -> TokenProblem | None:
    """Ask Slack (`auth.test`) whether it accepts the client's token: None when it does."""
    try:
        async with asyncio.timeout(START_CHECK_SECONDS):
            await client.auth_test()
    except SlackApiError as error:
        code = str(error.response.get("error"))
        if code in TOKEN_REFUSED:
            return TokenProblem(
                f"SLACK_BOT_TOKEN: Slack refuses it ({code}). Copy the Bot User OAuth Token "
                "(xoxb-...) from your app's OAuth & Permissions page, or reinstall the app.",
                refused=True,
            )
        return TokenProblem(f"SLACK_BOT_TOKEN: Slack did not confirm it ({code})", refused=False)
    except (aiohttp.ClientError, TimeoutError) as error:
        return TokenProblem(
            f"SLACK_API_URL: Slack is not answering ({type(error).__name__})", refused=False
        )
    return None


async def confirm_bot_token(client: AsyncWebClient) -> None:
    """One workspace, at start: `SettingsError` when Slack refuses `SLACK_BOT_TOKEN`; Slack
    not answering only warns."""
    problem = await token_problem(client)
    if problem is not None and problem.refused:
        raise SettingsError(problem.line)
    if problem is not None:
        log.warning("%s; serving, and asking again with the first request", problem.line)


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
            # This token is another workspace's: it will never resume this one.
            await refused_again(deps.sessions, paused, token_fingerprint=token)
            still.append(paused)
    return still
