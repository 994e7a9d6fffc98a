"""Serving a face of the stand-in on 127.0.0.1 with a free port: the Web API at `/api/<method>`,
the response URLs (`/respond/<name>`) and upload URLs (`/upload/<file id>`) it hands out, and
answering a Web API call as Slack does: the caller's workspace by its bot token
(`invalid_auth`), then its Block Kit (`invalid_blocks`), then the method (`unknown_method`)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import ClassVar

from aiohttp import web
from aiohttp.typedefs import Middleware

from bot.slack_standin.validation import block_kit_problem
from bot.slack_standin.wire import Json, error, read_body

# A Web API method: the call's arguments and the caller's workspace in, Slack's answer out.
Method = Callable[[Json, str | None], Json]


class StandInServer(ABC):
    """What every face of the stand-in serves, and how it answers a Web API call."""

    # Without the access log: the sandbox prints nothing a person trying the bot does not need.
    QUIET: ClassVar[bool] = False
    port: int
    tokens: dict[str, str]  # each bot token Slack has issued, to its workspace
    invalid: list[tuple[str, str]]  # (method, problem) of each payload Slack would refuse
    _runner: web.AppRunner | None

    @property
    def base_url(self) -> str:
        """Where the stand-in listens."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """The Web API's base URL, for the bot's SLACK_API_URL."""
        return f"{self.base_url}/api/"

    def response_url(self, name: str) -> str:
        """A response URL, as Slack hands one out with a command or a click."""
        return f"{self.base_url}/respond/{name}"

    async def start(self) -> None:
        """Serve on 127.0.0.1, on a free port."""
        app = web.Application(middlewares=self._middlewares())
        app.add_routes(self._routes())
        self._runner = web.AppRunner(app, access_log=None) if self.QUIET else web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()

    def _routes(self) -> list[web.RouteDef]:
        return [
            web.route("*", "/api/{method}", self._handle_api),  # users.info is a GET
            web.post("/respond/{name}", self._handle_response_url),
            web.post("/upload/{file_id}", self._handle_upload),
        ]

    def _middlewares(self) -> list[Middleware]:
        return []

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await read_body(request)
        team = self._team_of(request, body)
        if team is None:
            return error("invalid_auth")
        return self._call(method, body, team)

    @abstractmethod
    async def _handle_response_url(self, request: web.Request) -> web.Response:
        """What the face does with a message the bot sends to a response URL."""

    @abstractmethod
    async def _handle_upload(self, request: web.Request) -> web.Response:
        """What the face does with a file's bytes the bot uploads."""

    @abstractmethod
    def _method(self, name: str) -> Method | None:
        """The face's implementation of a Web API method, if it has one."""

    def _team_of(self, request: web.Request, body: Json) -> str | None:
        """The workspace whose bot token made the call (in the header, or as `token`)."""
        token = (request.headers.get("Authorization") or "").removeprefix("Bearer ")
        return self.tokens.get(token or str(body.get("token")))

    def _call(self, method: str, body: Json, team: str | None) -> web.Response:
        """Slack's answer to a call of `method` from workspace `team`."""
        problem = self._blocks_refused(method, body)
        if problem:
            return error("invalid_blocks", errors=[problem])
        handler = self._method(method)
        if handler is None:
            return error("unknown_method")
        return web.json_response(handler(body, team))

    def _blocks_refused(self, method: str, body: Json) -> str | None:
        """What Slack would refuse in the call's Block Kit, if anything, noted in `invalid`."""
        problem = self._check_blocks(method, body)
        if problem:
            self.invalid.append((method, problem))
        return problem

    def _check_blocks(self, method: str, body: Json) -> str | None:
        """What is wrong with the Block Kit of a call, if anything (the benchmark's stand-ins
        check less)."""
        return block_kit_problem(method, body)
