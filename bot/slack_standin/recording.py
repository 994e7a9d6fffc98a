"""The tests' face of the stand-in: the one Web API (api.py) over a workspace that takes what the
tests wrote straight into the database (`Knows.WHAT_IT_WAS_SENT`), recording every call with its
full body (`CallLog`) and answering with Slack's errors where a test asks (`Faults`: `ok: false`,
HTTP 429 with Retry-After, an outage, a dropped connection). A payload Slack would reject is
answered with `invalid_blocks` and kept in `invalid` so the test fixture fails the test.

It plays several workspaces, as Slack does for an app installed by OAuth (`Installs`): every call
is recorded with the workspace whose token made it, and a call that names a person of another
workspace is refused. It also serves Socket Mode (`/link`)."""

from __future__ import annotations

import json
from dataclasses import InitVar, dataclass, field
from datetime import UTC, datetime

from aiohttp import web

from bot.slack_standin.api import Method
from bot.slack_standin.conversations import dm_id, is_person
from bot.slack_standin.faults import Faults
from bot.slack_standin.identity import Identity
from bot.slack_standin.installs import Installs
from bot.slack_standin.messages import in_order
from bot.slack_standin.recorded import Call, CallLog
from bot.slack_standin.server import StandInServer
from bot.slack_standin.wire import Json, as_list, error, read_body
from bot.slack_standin.workspace import Knows, Workspace

# The time every message's ts carries: the tests' Slack does not move with their clocks.
TS_TIME = datetime.fromtimestamp(1_800_000_000, UTC)


@dataclass(frozen=True)
class StillClock:
    """A clock that stays at one time."""

    at: datetime = TS_TIME

    def now(self) -> datetime:
        """The one time."""
        return self.at


@dataclass
class RecordingSlack(StandInServer, CallLog, Faults, Installs):
    """Slack as the tests see it: what the bot sent, Slack's errors on demand, many workspaces."""

    # What its workspace takes that it never saw: PART where the bot's messages may have been
    # posted through another stand-in.
    knows: InitVar[Knows] = Knows.WHAT_IT_WAS_SENT
    invalid: list[tuple[str, str]] = field(default_factory=list)
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None

    def __post_init__(self, knows: Knows) -> None:
        app = self.app
        identity = Identity(
            app.team_id, "Test", "https://test.slack.com/", app.bot_user_id, "B0BOT", app.app_id
        )
        self.workspace = Workspace(StillClock(), identity, knows=knows)

    def add_user(
        self,
        user_id: str,
        *,
        tz: str = "Europe/London",
        is_bot: bool = False,
        deleted: bool = False,
        team: str | None = None,
    ) -> str:
        """Someone Slack knows, in the app's first workspace unless `team` says otherwise."""
        self.workspace.add_person(
            {
                "id": user_id,
                "team_id": team or self.app.team_id,
                "name": user_id.lower(),
                "deleted": deleted,
                "is_bot": is_bot,
                "tz": tz,
                "real_name": f"Person {user_id}",
            }
        )
        return user_id

    def add_channel(self, channel: str, members: list[str]) -> None:
        """A channel of the app's first workspace, with these members."""
        self.workspace.channel(channel, members, self.app.team_id)

    def posted(self, channel: str) -> list[Json]:
        """What a conversation holds, as Slack hands its messages back (a person's id means
        their DM with the bot): replies included, nothing ephemeral, oldest first."""
        if is_person(channel):
            channel = dm_id(channel)
        conversation = self.workspace.conversations.get(channel)
        held = conversation.everything() if conversation else []
        app = self.workspace.app
        return [m.as_slack(app) for m in sorted(held, key=in_order) if m.visible_to is None]

    def posted_everywhere(self) -> dict[str, list[Json]]:
        """What each conversation holds, as `posted` shows it."""
        return {channel: self.posted(channel) for channel in self.workspace.conversations}

    def shared_files(self) -> list[tuple[Call, str, bytes]]:
        """Each completed upload: the completing call, its channel, and the file's bytes."""
        uploads = self.workspace.uploads
        return [
            (call, str(call.body.get("channel_id")), uploads[file["id"]].content)
            for call in self.sent("files.completeUploadExternal")
            if call.error is None
            for file in as_list(call.body.get("files"))
        ]

    async def send_envelope(self, envelope_id: str, kind: str, payload: Json) -> None:
        """Deliver a Socket Mode envelope to the app over its latest connection."""
        await self.sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )

    def _routes(self) -> list[web.RouteDef]:
        return [*super()._routes(), web.get("/link", self._handle_socket)]

    def _method(self, name: str) -> Method | None:
        if name == "apps.connections.open":  # Socket Mode, which only this face serves
            return _connections_open
        return super()._method(name)

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await read_body(request)
        await self._held_back(method, body)
        team = self._team_of(request, body)
        dropped = self._dropped(method)
        if dropped is not None:
            # No answer at all: the connection drops (after the call took effect, if accepted).
            if dropped.accepted:
                self._call(method, body, team)
            await self._record(method, body, dropped.error, team)
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        response = self._answer(method, body, request.headers.get("Authorization") or "", team)
        answer = json.loads(response.text or "{}")
        await self._record(method, body, None if answer.get("ok") else answer.get("error"), team)
        return response

    def _answer(self, method: str, body: Json, auth: str, team: str | None) -> web.Response:
        if method == "oauth.v2.access":  # the app's credentials instead of a token
            return web.json_response(self._oauth_v2_access(body, auth))
        if method == "apps.connections.open":
            if auth != f"Bearer {self.app.app_token}":
                return error("invalid_auth")
        elif team is None:
            return error("invalid_auth")
        failure = self._failure_for(method)
        if failure is not None:
            if failure.accepted:
                self._call(method, body, team)
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
            return web.json_response(
                {"ok": False, "error": failure.error}, status=failure.status, headers=headers
            )
        return self._call(method, body, team)

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        name = request.match_info["name"]
        await self._record("response_url", {**body, "name": name})
        return self._respond(name, body)

    async def _handle_upload(self, request: web.Request) -> web.Response:
        """The upload URL files.getUploadURLExternal hands out: Slack answers 200 "OK"."""
        file_id = request.match_info["file_id"]
        if file_id not in self.workspace.pending_uploads:
            return web.Response(status=404, text="unknown upload")
        if self._failures["file_upload"]:  # fail_next("file_upload", ..., status=403)
            failure = self._failures["file_upload"].popleft()
            await self._record("file_upload", {"file_id": file_id}, failure.error)
            return web.Response(status=failure.status, text=failure.error)
        content = await request.read()
        await self._record("file_upload", {"file_id": file_id, "bytes": len(content)})
        return self._take_upload(file_id, content)

    async def _handle_socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, deliver envelopes, and record the app's acknowledgements."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json(
            {"type": "hello", "num_connections": 1, "connection_info": {"app_id": self.app.app_id}}
        )
        self.sockets.append(socket)
        await self._notify()
        async for message in socket:
            await self._record("socket_ack", json.loads(message.data))
        return socket


def _connections_open(slack: StandInServer, body: Json, team: str | None) -> Json:
    """apps.connections.open: where the app's Socket Mode connection goes."""
    return {"ok": True, "url": f"ws://127.0.0.1:{slack.port}/link"}
