"""The sandbox's face of the stand-in: the one Web API (api.py) over the sandbox's workspace, which
holds everything the bot can name (`Knows.EVERYTHING`): its people are the personas, and whatever
else the bot names is refused with Slack's error, as Slack would refuse it.

It refuses any token but the sandbox's bot token (`invalid_auth`) and any Block Kit Slack would
refuse (`invalid_blocks`, logged as well). A shared file's link is the page's own
`/files/<id>/<name>` (bot/sandbox/server.py), so it outlives this stand-in's port, and a permalink
(chat.getPermalink) is the page's URL with `#<channel>/<ts>`."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from bot.clock import Clock
from bot.slack_standin.identity import Identity
from bot.slack_standin.personas import BOT, EVERYONE, PEOPLE, TEAM_ID, TEAM_NAME, TIMEZONE, Persona
from bot.slack_standin.server import StandInServer
from bot.slack_standin.wire import Json
from bot.slack_standin.workspace import Workspace

log = logging.getLogger(__name__)
SANDBOX_APP = Identity(
    TEAM_ID, TEAM_NAME, "https://sandbox.slack.com/", BOT.id, "B0SANDBOT", "A0APP"
)


def sandbox_workspace(clock: Clock) -> Workspace:
    """The sandbox's workspace as a first run finds it: the personas, and each person's DM with
    the bot."""
    return Workspace(
        clock,
        SANDBOX_APP,
        people=[_user(person) for person in EVERYONE.values()],
        welcomed=[person.id for person in PEOPLE],
    )


class SandboxSlack(StandInServer):
    """Slack as the sandbox's people meet it: the Web API over their workspace."""

    QUIET = True

    def __init__(self, workspace: Workspace, bot_token: str) -> None:
        self.workspace = workspace
        self.tokens = {bot_token: TEAM_ID}
        self.invalid = []
        self._runner = None
        self.port = 0

    def show_permalinks_on(self, page_url: str) -> None:
        """Point permalinks at the page at `page_url`, which opens the message's conversation."""
        self.workspace.permalink = lambda channel, ts: f"{page_url}#{channel}/{ts}"

    def _middlewares(self) -> list[Middleware]:
        return [_close_connection]

    def _blocks_refused(self, method: str, body: Json) -> str | None:
        problem = super()._blocks_refused(method, body)
        if problem:
            log.warning("Slack would refuse the bot's %s: %s", method, problem)
        return problem


def _user(person: Persona) -> Json:
    """A persona as users.info shows them."""
    return {
        "id": person.id,
        "team_id": TEAM_ID,
        "name": person.name.split()[0].lower(),
        "real_name": person.name,
        "deleted": False,
        "is_bot": person.is_bot,
        "tz": TIMEZONE,
        "profile": {"real_name": person.name, "display_name": person.name},
    }


@web.middleware
async def _close_connection(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer each call on a connection of its own: an idle kept-alive connection would keep
    its handler task alive, and the bot's shutdown waits for every task it finds."""
    response = await handler(request)
    response.force_close()
    return response
