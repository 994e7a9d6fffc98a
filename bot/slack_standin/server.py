"""Serving a face of the stand-in on 127.0.0.1 with a free port: the Web API at `/api/<method>`
(api.py, over the face's workspace), the response URLs (`/respond/<name>`) and upload URLs
(`/upload/<file id>`) it hands out, and answering a Web API call as Slack does: the caller's
workspace by its bot token (`invalid_auth`), then its Block Kit (`invalid_blocks`), then the
method (`unknown_method`).

A response URL's message is an ephemeral reply to the person who acted, or `replace_original` /
`delete_original` on the message they clicked; an upload URL takes the file's bytes."""

from __future__ import annotations

from typing import ClassVar

from aiohttp import web
from aiohttp.typedefs import Middleware

from bot.slack_standin.api import METHODS, Method
from bot.slack_standin.validation import block_kit_problem
from bot.slack_standin.views import Upload
from bot.slack_standin.wire import Json, blocks_of, error, is_true, read_body
from bot.slack_standin.workspace import Workspace


class StandInServer:
    """What every face of the stand-in serves, and how it answers a call, over its workspace."""

    # Without the access log: the sandbox prints nothing a person trying the bot does not need.
    QUIET: ClassVar[bool] = False
    workspace: Workspace
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

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        return self._respond(request.match_info["name"], await request.json())

    async def _handle_upload(self, request: web.Request) -> web.Response:
        return self._take_upload(request.match_info["file_id"], await request.read())

    def _method(self, name: str) -> Method | None:
        """The Web API method of this name, if the stand-in has one."""
        return METHODS.get(name)

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
        return web.json_response(handler(self, body, team))

    def _respond(self, name: str, body: Json) -> web.Response:
        """A message sent to a response URL, applied where the reply goes."""
        if self._blocks_refused("response_url", body):
            return web.Response(status=400, text="invalid_blocks")
        workspace = self.workspace
        reply = workspace.replies.get(name)
        if reply is None and workspace.takes_the_unseen:  # one the tests made up
            return web.Response(text="ok")
        if reply is None:
            return web.Response(status=404, text="no_such_response_url")
        original = workspace.find(reply.channel, reply.message_ts)
        if original is not None and is_true(body.get("delete_original")):
            workspace.delete(reply.channel, original)
        elif original is not None and is_true(body.get("replace_original")):
            workspace.edit(original, str(body.get("text", "")), blocks_of(body))
        else:
            workspace.post(
                reply.channel,
                workspace.app.bot_user,
                str(body.get("text", "")),
                blocks_of(body),
                thread_ts=original.thread_ts if original else None,
                visible_to=None if body.get("response_type") == "in_channel" else reply.user,
            )
        return web.Response(text="ok")

    def _take_upload(self, file_id: str, content: bytes) -> web.Response:
        """The bytes of a file files.getUploadURLExternal handed out a URL for."""
        name = self.workspace.pending_uploads.get(file_id)
        if name is None:
            return web.Response(status=404, text="unknown upload")
        self.workspace.uploads[file_id] = Upload(name, content)
        return web.Response(text=f"OK - {len(content)}")

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
