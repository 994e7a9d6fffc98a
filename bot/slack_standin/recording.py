"""The tests' face of the stand-in: a Slack that records every call with its full body
(`CallLog`), answers the way Slack does (including `ok: false` errors, HTTP 429 with Retry-After,
`invalid_blocks` and `expired_trigger_id`, injected with `Faults`), and checks every Block Kit
payload: one Slack would reject is answered with `invalid_blocks` and kept in `invalid` so the
test fixture fails the test.

It plays several workspaces, as Slack does for an app installed by OAuth (`Installs`): every call
is recorded with the workspace whose token made it, and a call that names a person of another
workspace is refused. It also serves Socket Mode (`/link`). Its Web API methods are in
recording_api.py; what a conversation holds is kept as Slack hands messages back, in
`conversations`."""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial

from aiohttp import web

from bot.slack_standin import recording_api
from bot.slack_standin.faults import Faults
from bot.slack_standin.installs import Installs
from bot.slack_standin.recorded import Call, CallLog
from bot.slack_standin.server import Method, StandInServer
from bot.slack_standin.wire import Json, as_list, error, read_body


@dataclass
class RecordingSlack(StandInServer, CallLog, Faults, Installs):
    """Slack as the tests see it: what the bot sent, Slack's errors on demand, many workspaces."""

    users: dict[str, Json] = field(default_factory=dict)
    invalid: list[tuple[str, str]] = field(default_factory=list)
    channel_members: dict[str, list[str]] = field(default_factory=dict)
    # What each conversation holds, oldest first: the messages posted there, as Slack keeps them.
    conversations: dict[str, list[Json]] = field(default_factory=lambda: defaultdict(list))
    # False where the bot's messages may have been posted through another stand-in: an update
    # of one this stand-in does not hold is then taken, as Slack (which holds them all) would.
    holds_every_message: bool = True
    # files.uploadV2: the bytes posted to each upload URL, by file id, and the files shared.
    uploads: dict[str, bytes] = field(default_factory=dict)
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    port: int = 0
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _file_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None

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
        self.users[user_id] = {
            "id": user_id,
            "team_id": team or self.app.team_id,
            "name": user_id.lower(),
            "deleted": deleted,
            "is_bot": is_bot,
            "tz": tz,
            "real_name": f"Person {user_id}",
        }
        return user_id

    def posted(self, channel: str) -> list[Json]:
        """What a conversation holds (a person's id means their DM with the bot), replies
        included, oldest first."""
        if channel.startswith(("U", "W")):
            channel = "D" + channel[1:]
        return list(self.conversations.get(channel, []))

    def shared_files(self) -> list[tuple[Call, str, bytes]]:
        """Each completed upload: the completing call, its channel, and the file's bytes."""
        return [
            (call, str(call.body.get("channel_id")), self.uploads[file["id"]])
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

    def next_ts(self) -> str:
        """A new message ts."""
        return f"1800000000.{next(self._ts):06d}"

    def new_view_id(self) -> str:
        """A new view id (its number counts on with the messages' ts)."""
        return f"V{next(self._ts):08d}"

    def new_file_id(self) -> str:
        """A new file id, for an upload."""
        return f"F{next(self._file_ids):08d}"

    def _routes(self) -> list[web.RouteDef]:
        return [*super()._routes(), web.get("/link", self._handle_socket)]

    def _method(self, name: str) -> Method | None:
        implementation = recording_api.METHODS.get(name)
        return None if implementation is None else partial(implementation, self)

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
        await self._record("response_url", {**body, "name": request.match_info["name"]})
        if self._blocks_refused("response_url", body):
            return web.Response(status=400, text="invalid_blocks")
        return web.Response(text="ok")

    async def _handle_upload(self, request: web.Request) -> web.Response:
        """The upload URL files.getUploadURLExternal hands out: Slack answers 200 "OK"."""
        file_id = request.match_info["file_id"]
        if file_id not in self.uploads:
            return web.Response(status=404, text="unknown upload")
        if self._failures["file_upload"]:  # fail_next("file_upload", ..., status=403)
            failure = self._failures["file_upload"].popleft()
            await self._record("file_upload", {"file_id": file_id}, failure.error)
            return web.Response(status=failure.status, text=failure.error)
        self.uploads[file_id] = await request.read()
        await self._record("file_upload", {"file_id": file_id, "bytes": len(self.uploads[file_id])})
        return web.Response(text="OK - " + str(len(self.uploads[file_id])))

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
