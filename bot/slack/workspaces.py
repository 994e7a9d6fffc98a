"""OAuth mode: the workspaces that installed the app, Bolt's OAuth settings for installing it
(`/slack/install` and the redirect back from Slack), and a Web API client with a workspace's own
bot token for work that runs outside a request, such as the nudge sweep.

slack_sdk's installation and OAuth state stores keep their rows in the bot's own database, on
the app's engine; revision 0009 creates their tables.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.services.installations import InstallationStore
from bot.setting_checks import OAUTH_REDIRECT_PATH
from bot.settings import Settings
from bot.slack.client import Sleep, make_web_client

INSTALL_PATH = "/slack/install"
# How long an install may take between /slack/install and Slack's redirect back (Bolt's default).
STATE_EXPIRATION_SECONDS = 600


@dataclass(frozen=True, slots=True)
class Workspaces:
    """The workspaces that installed the app, and the pending installs, both kept by slack_sdk's
    stores in our database."""

    installations: InstallationStore
    states: AsyncSQLAlchemyOAuthStateStore
    api_url: str
    sleep: Sleep = asyncio.sleep

    async def client_for(self, team_id: str) -> AsyncWebClient | None:
        """A client with the workspace's bot token, or None once it uninstalled the app."""
        bot = await self.installations.async_find_bot_of_team(team_id)
        if bot is None or bot.bot_token is None:
            return None
        return make_web_client(bot.bot_token, self.api_url, self.sleep)


def workspaces_from(
    settings: Settings, engine: AsyncEngine, sleep: Sleep = asyncio.sleep
) -> Workspaces | None:
    """The installed workspaces in OAuth mode; None in single-workspace mode."""
    if settings.slack_client_id is None:
        return None
    return Workspaces(
        InstallationStore(client_id=settings.slack_client_id, engine=engine),
        AsyncSQLAlchemyOAuthStateStore(expiration_seconds=STATE_EXPIRATION_SECONDS, engine=engine),
        settings.slack_api_url,
        sleep,
    )


def oauth_settings(
    settings: Settings, workspaces: Workspaces, installed: Callable[[str], Awaitable[None]]
) -> AsyncOAuthSettings:
    """Bolt's OAuth flow: bot scopes only, installations and states in our database, and
    `installed(team_id)` called once an installation is stored, before Bolt's own success page.
    """
    assert settings.slack_client_id is not None and settings.slack_client_secret is not None

    async def succeeded(args: AsyncSuccessArgs) -> BoltResponse:
        """Tell the bot a workspace is installed, then show Bolt's success page."""
        # Keyed as a request's workspace is (listeners/acting.py `Acting.team_id`): the org, when an
        # install names no team. (The manifest keeps org-wide installs off.)
        workspace = args.installation.team_id or args.installation.enterprise_id
        if workspace is not None:
            await installed(workspace)
        return await args.default.success(args)

    async def failed(args: AsyncFailureArgs) -> BoltResponse:
        """Show Bolt's own page for an installation that failed."""
        return await args.default.failure(args)

    return AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=list(settings.slack_scopes),
        user_scopes=[],
        # Unset, Slack sends the installer back to the app's first redirect URL.
        redirect_uri=settings.slack_redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=OAUTH_REDIRECT_PATH,
        installation_store=workspaces.installations,
        installation_store_bot_only=True,
        state_store=workspaces.states,
        state_expiration_seconds=STATE_EXPIRATION_SECONDS,
        callback_options=AsyncCallbackOptions(success=succeeded, failure=failed),
    )
