"""OAuth mode under test: the settings that turn it on, a second workspace with its own people,
and installing the app the way a browser and Slack do it: the bot's install page, Slack's
authorize page (the stand-in), and the redirect back to the bot with the state cookie."""

from __future__ import annotations

import dataclasses
import html
import re
from typing import Any
from urllib.parse import urlsplit

from aiohttp.client import ClientResponse
from sqlalchemy import Column, Table, select

from tests.support.harness import HOME, Harness
from tests.support.standin import CLIENT_ID, CLIENT_SECRET, TEAM_ID

REDIRECT_URI = "https://bot.example.com/slack/oauth_redirect"
# `@pytest.mark.settings(**OAUTH)`: the bot in OAuth mode, with no bot token of its own.
OAUTH: dict[str, Any] = {
    "slack_bot_token": None,
    "slack_client_id": CLIENT_ID,
    "slack_client_secret": CLIENT_SECRET,
    "slack_redirect_uri": REDIRECT_URI,
}
STATE_COOKIE = "slack-app-oauth-state"  # Bolt's cookie that ties the redirect to the browser

TEAM_A = TEAM_ID  # the stand-in's own workspace, with EMPLOYEE, HOME, HOST and OUTSIDER
TEAM_B = "T0BETA"
B_EMPLOYEE, B_HOME, B_HOST = "U0BEMP", "U0BMGR", "U0BHST"


async def open_install_page(bot: Harness) -> tuple[str, str]:
    """GET /slack/install: the Add to Slack link on the page, and the state cookie it set."""
    response = await bot.http.get("/slack/install")
    assert response.status == 200, await response.text()
    found = re.search(r'<a href="([^"]+)"', await response.text())
    assert found is not None
    return html.unescape(found.group(1)), response.cookies[STATE_COOKIE].value


async def return_from_slack(bot: Harness, redirect: str, cookie: str | None) -> ClientResponse:
    """The browser follows Slack's redirect to the bot's /slack/oauth_redirect, carrying the
    state cookie when it has one."""
    parts = urlsplit(redirect)
    # The cookie is sent by hand, so that a test can leave it out.
    bot.http.session.cookie_jar.clear()
    headers = {"Cookie": f"{STATE_COOKIE}={cookie}"} if cookie is not None else {}
    return await bot.http.get(f"{parts.path}?{parts.query}", headers=headers)


async def install(bot: Harness, team_id: str, *, installer: str) -> str:
    """Install the app in `team_id` from start to finish; returns the bot token Slack issued."""
    link, cookie = await open_install_page(bot)
    redirect = bot.slack.authorize(
        link, team_id=team_id, team_name=f"Workspace {team_id}", installer=installer
    )
    response = await return_from_slack(bot, redirect, cookie)
    assert response.status == 200, await response.text()
    return token_of(bot, team_id)


def token_of(bot: Harness, team_id: str) -> str:
    """The one bot token the stand-in knows for the workspace."""
    (token,) = [t for t, team in bot.slack.tokens.items() if team == team_id]
    return token


async def two_workspaces(bot: Harness) -> tuple[Harness, Harness]:
    """Workspaces A and B with the app installed in both, and each one's people: the harness
    acting from A, and from B."""
    for user_id in (B_EMPLOYEE, B_HOME, B_HOST):
        bot.slack.add_user(user_id, team=TEAM_B)
    await install(bot, TEAM_A, installer=HOME)
    await install(bot, TEAM_B, installer=B_HOME)
    return dataclasses.replace(bot, team_id=TEAM_A), dataclasses.replace(bot, team_id=TEAM_B)


async def stored_bots(bot: Harness) -> list[tuple[str | None, str | None]]:
    """(team id, bot token) of each bot the installation store holds."""
    assert bot.deps.workspaces is not None
    bots = bot.deps.workspaces.installations.bots
    return await _team_and(bot, bots, bots.c.bot_token)


async def installers(bot: Harness) -> list[tuple[str | None, str | None]]:
    """(team id, installer) of each installation the store holds."""
    assert bot.deps.workspaces is not None
    installations = bot.deps.workspaces.installations.installations
    return await _team_and(bot, installations, installations.c.user_id)


async def _team_and(
    bot: Harness, table: Table, column: Column[Any]
) -> list[tuple[str | None, str | None]]:
    async with bot.sessions() as session:
        rows = await session.execute(select(table.c.team_id, column).order_by(table.c.id))
    return [(team, value) for team, value in rows]
