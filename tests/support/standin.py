"""A local stand-in for the Slack Web API, on 127.0.0.1 with a free port.

It records every call with its full body, answers the way Slack does (including `ok: false`
errors, HTTP 429 with Retry-After, `invalid_blocks` and `expired_trigger_id`), and checks every
Block Kit payload with slack_sdk.models: a payload Slack would reject is answered with
`invalid_blocks` and kept in `invalid` so the test fixture fails the test. A view is checked
whole (its blocks' own limits, and no block_id twice) as Slack checks it.

It plays several workspaces, as Slack does for an app installed by OAuth: each bot token belongs
to one workspace (`tokens`), every call is recorded with the workspace whose token made it, and a
call that names a person of another workspace is refused. `authorize` plays Slack's install page
and `oauth.v2.access` exchanges its code for a new workspace's bot token.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import random
from collections import defaultdict, deque
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from aiohttp import web

from bot.sandbox.webapi import as_dict, as_list, block_kit_problem, error, read_body

BOT_TOKEN = "xoxb-1111111111-2222222222222-StandInBotTokenForTests"
APP_TOKEN = "xapp-1-test-token"
TEAM_ID = "T0TEAM"
BOT_USER_ID = "U0BOT"
# The app's credentials for OAuth installs (Basic Information > App Credentials).
APP_ID = "A0APP"
CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
# How long a test waits for the bot to make a call before it fails; a guard, never a delay.
WAIT_LIMIT = 10.0


@dataclass
class Call:
    method: str
    body: dict[str, Any]
    error: str | None = None  # what Slack answered, when it refused the call
    team: str | None = None  # the workspace whose bot token made the call, if any

    @property
    def text(self) -> str:
        return str(self.body.get("text", ""))

    @property
    def blocks_text(self) -> str:
        """All the text in the blocks, for asserting what a person would read."""
        return json.dumps(
            self.body.get("blocks") or self.body.get("view") or [], ensure_ascii=False
        )


@dataclass(frozen=True)
class Grant:
    """An install the installer allowed on Slack's authorize page, waiting for its code to be
    exchanged: for which workspace, by whom, with which scopes and redirect URI."""

    team_id: str
    team_name: str
    installer: str
    scope: str
    redirect_uri: str | None


@dataclass
class Failure:
    error: str
    status: int = 200
    retry_after: int | None = None
    # The call takes effect, but its answer is this error: Slack did it and the answer was lost.
    accepted: bool = False


# A `Failure` status for no answer at all: the connection drops, as on a timeout.
DROPPED = 0

# The faults `fail_randomly` picks from: a rate limit, an outage, and an answer lost after the
# call took effect.
RANDOM_FAULTS = (
    Failure("ratelimited", 429, retry_after=1),
    Failure("service_unavailable", 503),
    Failure("internal_error", 500, accepted=True),
)


@dataclass
class SlackStandIn:
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    invalid: list[tuple[str, str]] = field(default_factory=list)
    _failures: dict[str, deque[Failure]] = field(default_factory=lambda: defaultdict(deque))
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _runner: web.AppRunner | None = None
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    channel_members: dict[str, list[str]] = field(default_factory=dict)
    # files.uploadV2: the bytes posted to each upload URL, by file id, and the files shared.
    uploads: dict[str, bytes] = field(default_factory=dict)
    _file_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    # Bot tokens Slack has issued, each to its workspace; single-workspace mode uses BOT_TOKEN.
    tokens: dict[str, str] = field(default_factory=lambda: {BOT_TOKEN: TEAM_ID})
    grants: dict[str, Grant] = field(default_factory=dict)  # by the code handed out
    _issued: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _holds: dict[str, deque[asyncio.Event]] = field(default_factory=lambda: defaultdict(deque))
    held: list[Call] = field(default_factory=list)  # calls kept waiting, as they arrived
    # What each conversation holds, oldest first: the messages posted there, as Slack keeps them.
    conversations: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # False where the bot's messages may have been posted through another stand-in: an update
    # of one this stand-in does not hold is then taken, as Slack (which holds them all) would.
    holds_every_message: bool = True
    # fail_randomly: the share of calls that fail, and the seeded choice of which.
    _fault_rate: float = 0.0
    _faults: random.Random = field(default_factory=random.Random)
    _fault_methods: frozenset[str] = frozenset()
    faults_injected: int = 0
    port: int = 0

    # --- set-up -----------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        *,
        tz: str = "Europe/London",
        is_bot: bool = False,
        deleted: bool = False,
        team: str = TEAM_ID,
    ) -> str:
        self.users[user_id] = {
            "id": user_id,
            "team_id": team,
            "name": user_id.lower(),
            "deleted": deleted,
            "is_bot": is_bot,
            "tz": tz,
            "real_name": f"Person {user_id}",
        }
        return user_id

    def hold_next(self, method: str) -> asyncio.Event:
        """Keep the next call of `method` waiting until the returned event is set; the call is
        in `held` once it has arrived."""
        release = asyncio.Event()
        self._holds[method].append(release)
        return release

    def fail_next(
        self,
        method: str,
        error: str,
        *,
        status: int = 200,
        retry_after: int | None = None,
        accepted: bool = False,
    ) -> None:
        """Answer the next call of `method` with this error, as Slack would; `accepted`: the
        call takes effect all the same (the answer was lost on its way back). A `status` of
        `DROPPED` answers nothing: the connection drops, as when a call times out."""
        self._failures[method].append(Failure(error, status, retry_after, accepted))

    def posted(self, channel: str) -> list[dict[str, Any]]:
        """What a conversation holds (a person's id means their DM with the bot), replies
        included, oldest first."""
        if channel.startswith(("U", "W")):
            channel = "D" + channel[1:]
        return list(self.conversations.get(channel, []))

    def fail_randomly(self, rate: float, *, seed: int, methods: Collection[str]) -> None:
        """From now on, answer about `rate` of the calls of `methods` with one of
        `RANDOM_FAULTS`, chosen by a generator seeded with `seed` (a rate of 0 turns it off)."""
        self._fault_rate = rate
        self._faults = random.Random(seed)
        self._fault_methods = frozenset(methods)

    def authorize(self, url: str, *, team_id: str, team_name: str, installer: str) -> str:
        """Slack's authorize page, opened from the Add to Slack link `url`: the installer allows
        the app in their workspace. Returns where Slack sends the browser next: the redirect
        URI with a one-time code and the state the link carried."""
        query = {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
        assert query["client_id"] == CLIENT_ID, query
        code = f"{team_id.lower()}.{next(self._issued)}.code"
        redirect_uri = query.get("redirect_uri")
        self.grants[code] = Grant(team_id, team_name, installer, query["scope"], redirect_uri)
        back = redirect_uri or "https://your-host.example.com/slack/oauth_redirect"
        return f"{back}?{urlencode({'code': code, 'state': query.get('state', '')})}"

    def uninstall(self, team_id: str) -> None:
        """The workspace removed the app: Slack revokes every token it issued there."""
        self.tokens = {token: team for token, team in self.tokens.items() if team != team_id}

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/respond/{name}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/respond/{name}", self._handle_response_url)
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        app.router.add_get("/link", self._handle_socket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # --- reading what was sent -------------------------------------------------------------

    def sent(self, method: str, **match: Any) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method and all(c.body.get(k) == v for k, v in match.items())
        ]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        *,
        where: Callable[[Call], bool] = lambda c: True,
    ) -> list[Call]:
        """Wait (on events, never on a clock) until `count` matching calls have arrived."""

        def matching() -> list[Call]:
            return [c for c in self.calls if c.method == method and where(c)]

        await self.wait_until(lambda: len(matching()) >= count)
        return matching()

    async def wait_until(self, condition: Callable[[], bool]) -> None:
        """Wait (on events, never on a clock) until `condition` holds for the calls so far."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(condition), WAIT_LIMIT)

    # --- the API -----------------------------------------------------------------------------

    async def _record(
        self, method: str, body: dict[str, Any], error: str | None = None, team: str | None = None
    ) -> None:
        async with self._changed:
            self.calls.append(Call(method, body, error, team))
            self._changed.notify_all()

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await read_body(request)
        if self._holds[method]:
            release = self._holds[method].popleft()
            async with self._changed:
                self.held.append(Call(method, body))
                self._changed.notify_all()
            await release.wait()
        auth = request.headers.get("Authorization") or ""
        team = self.tokens.get(auth.removeprefix("Bearer "))
        if self._failures[method] and self._failures[method][0].status == DROPPED:
            # No answer at all: the connection drops (after the call took effect, if accepted).
            failure = self._failures[method].popleft()
            if failure.accepted:
                self._handle(method, body, team)
            await self._record(method, body, failure.error, team)
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        response = self._answer(method, body, auth, team)
        answer = json.loads(response.text or "{}")
        await self._record(method, body, None if answer.get("ok") else answer.get("error"), team)
        return response

    def _answer(
        self, method: str, body: dict[str, Any], auth: str, team: str | None
    ) -> web.Response:
        if method == "oauth.v2.access":  # the app's credentials instead of a token
            return web.json_response(self._oauth_v2_access(body, auth))
        if method == "apps.connections.open":
            if auth != f"Bearer {APP_TOKEN}":
                return error("invalid_auth")
        elif team is None:
            return error("invalid_auth")
        failure = self._failure_for(method)
        if failure is not None:
            if failure.accepted:
                self._handle(method, body, team)
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
            return web.json_response(
                {"ok": False, "error": failure.error}, status=failure.status, headers=headers
            )
        return self._handle(method, body, team)

    def _failure_for(self, method: str) -> Failure | None:
        if self._failures[method]:
            return self._failures[method].popleft()
        if method in self._fault_methods and self._faults.random() < self._fault_rate:
            self.faults_injected += 1
            return self._faults.choice(RANDOM_FAULTS)
        return None

    def _handle(self, method: str, body: dict[str, Any], team: str | None) -> web.Response:
        problem = self._check_blocks(method, body)
        if problem:
            self.invalid.append((method, problem))
            return error("invalid_blocks", errors=[problem])
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if handler is None:
            return error("unknown_method")
        return web.json_response(handler(body, team))

    def _check_blocks(self, method: str, body: dict[str, Any]) -> str | None:
        """What is wrong with the Block Kit of a call, if anything (the benchmark's stand-ins
        check less)."""
        return block_kit_problem(method, body)

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        await self._record("response_url", {**body, "name": request.match_info["name"]})
        problem = self._check_blocks("response_url", body)
        if problem:
            self.invalid.append(("response_url", problem))
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

    def shared_files(self) -> list[tuple[Call, str, bytes]]:
        """Each completed upload: the completing call, its channel, and the file's bytes."""
        return [
            (call, str(call.body.get("channel_id")), self.uploads[file["id"]])
            for call in self.sent("files.completeUploadExternal")
            if call.error is None
            for file in as_list(call.body.get("files"))
        ]

    async def _handle_socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, deliver envelopes, and record the app's acknowledgements."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json(
            {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0APP"}}
        )
        async with self._changed:
            self.sockets.append(socket)
            self._changed.notify_all()
        async for message in socket:
            await self._record("socket_ack", json.loads(message.data))
        return socket

    async def send_envelope(self, envelope_id: str, kind: str, payload: dict[str, Any]) -> None:
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

    def _next_ts(self) -> str:
        return f"1800000000.{next(self._ts):06d}"

    def _elsewhere(self, user_id: str, team: str | None) -> bool:
        """A person Slack knows in another workspace than the caller's, so cannot be reached."""
        return user_id in self.users and self.users[user_id]["team_id"] != team

    def _oauth_v2_access(self, body: dict[str, Any], auth: str) -> dict[str, Any]:
        credentials = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if auth != f"Basic {credentials}":
            return {"ok": False, "error": "invalid_client_id"}
        grant = self.grants.pop(str(body.get("code")), None)  # a code is good once
        if grant is None:
            return {"ok": False, "error": "invalid_code"}
        if body.get("redirect_uri") != grant.redirect_uri:
            return {"ok": False, "error": "bad_redirect_uri"}
        token = f"xoxb-{grant.team_id.lower()}-{next(self._issued)}"
        self.tokens[token] = grant.team_id
        return {
            "ok": True,
            "access_token": token,
            "token_type": "bot",
            "scope": grant.scope,
            "bot_user_id": BOT_USER_ID,
            "app_id": APP_ID,
            "team": {"id": grant.team_id, "name": grant.team_name},
            "enterprise": None,
            "authed_user": {"id": grant.installer},
            "is_enterprise_install": False,
        }

    def _api_auth_test(self, body: dict[str, Any], team: str | None) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://test.slack.com/",
            "team": "Test",
            "user": "bot",
            "team_id": team,
            "user_id": BOT_USER_ID,
            "bot_id": "B0BOT",
        }

    def _api_apps_connections_open(self, body: dict[str, Any], team: str | None) -> dict[str, Any]:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/link"}

    def _api_users_info(self, body: dict[str, Any], team: str | None) -> dict[str, Any]:
        user = self.users.get(str(body.get("user")))
        if user is None or self._elsewhere(user["id"], team):
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user}

    def _api_conversations_open(self, body: dict[str, Any], team: str | None) -> dict[str, Any]:
        ids = sorted(str(body.get("users", "")).split(","))
        if len(ids) == 1 and ids[0] not in self.users:
            # As chat.postMessage to a person: the tests' crowds are not all set up as users.
            return {"ok": True, "channel": {"id": "D" + ids[0][1:]}}
        for user_id in ids:
            user = self.users.get(user_id)
            if user is None or self._elsewhere(user_id, team):
                return {"ok": False, "error": "user_not_found"}
            if user["deleted"]:
                return {"ok": False, "error": "user_disabled"}
        if len(ids) == 1:  # a DM with the bot, as chat.postMessage to the person opens it
            return {"ok": True, "channel": {"id": "D" + ids[0][1:]}}
        return {"ok": True, "channel": {"id": "G" + "".join(i[-3:] for i in ids).upper()}}

    def _api_conversations_members(self, body: dict[str, Any], team: str | None) -> dict[str, Any]:
        members = self.channel_members.get(str(body.get("channel")))
        if members is None or team != TEAM_ID:  # the channels it knows are all TEAM_ID's
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "members": members, "response_metadata": {"next_cursor": ""}}

    def _api_chat_postMessage(self, body: dict[str, Any], team: str | None) -> dict[str, Any]:
        channel = str(body["channel"])
        if channel.startswith(("U", "W")):  # a DM: Slack answers with the IM's channel id
            if self._elsewhere(channel, team):
                return {"ok": False, "error": "channel_not_found"}
            if self.users.get(channel, {}).get("deleted"):
                return {"ok": False, "error": "user_disabled"}
            channel = "D" + channel[1:]
        message = {
            "type": "message",
            "user": BOT_USER_ID,
            "ts": self._next_ts(),
            "text": body.get("text"),
            "blocks": body.get("blocks"),
        }
        if body.get("thread_ts"):
            message["thread_ts"] = body["thread_ts"]
        if body.get("metadata"):
            message["metadata"] = as_dict(body["metadata"])
        self.conversations[channel].append(message)
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}

    def _api_conversations_history(self, body: dict[str, Any], team: str | None) -> dict[str, Any]:
        """The conversation's own messages (not replies in threads), newest first."""
        shown = [
            m
            for m in self.conversations.get(str(body.get("channel")), [])
            if m.get("thread_ts", m["ts"]) == m["ts"]
        ]
        return self._page(list(reversed(shown)), body)

    def _api_conversations_replies(self, body: dict[str, Any], team: str | None) -> dict[str, Any]:
        """A thread: its parent, then its replies, oldest first."""
        ts = str(body.get("ts"))
        thread = [
            m
            for m in self.conversations.get(str(body.get("channel")), [])
            if m["ts"] == ts or m.get("thread_ts") == ts
        ]
        if not thread:
            return {"ok": False, "error": "thread_not_found"}
        return self._page(thread, body)

    @staticmethod
    def _page(messages: list[dict[str, Any]], body: dict[str, Any]) -> dict[str, Any]:
        """One page of `messages`, from the `cursor` the page before it handed out."""
        limit = int(body.get("limit") or 100)
        start = int(body.get("cursor") or 0)
        with_metadata = str(body.get("include_all_metadata")).lower() in ("1", "true")
        shown = [
            m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
            for m in messages[start : start + limit]
        ]
        more = len(messages) > start + limit
        return {
            "ok": True,
            "messages": shown,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _api_chat_update(self, body: dict[str, Any], team: str | None) -> dict[str, Any]:
        """Slack edits the message in place; one it does not have is `message_not_found`. (A
        conversation the stand-in never saw, such as a seeded thread, is taken as it is, and so
        is every message when another stand-in posted them: `holds_every_message`.)"""
        channel, ts = str(body["channel"]), str(body["ts"])
        if channel in self.conversations and self.holds_every_message:
            found = [m for m in self.conversations[channel] if m["ts"] == ts]
            if not found:
                return {"ok": False, "error": "message_not_found"}
            found[0].update(text=body.get("text"), blocks=body.get("blocks"))
        return {"ok": True, "channel": channel, "ts": ts}

    def _api_chat_postEphemeral(self, body: dict[str, Any], team: str | None) -> dict[str, Any]:
        return {"ok": True, "message_ts": self._next_ts()}

    def _api_chat_getPermalink(self, body: dict[str, Any], team: str | None) -> dict[str, Any]:
        ts = str(body["message_ts"]).replace(".", "")
        return {
            "ok": True,
            "channel": body["channel"],
            "permalink": f"https://test.slack.com/archives/{body['channel']}/p{ts}",
        }

    def _api_files_getUploadURLExternal(
        self, body: dict[str, Any], team: str | None
    ) -> dict[str, Any]:
        if not body.get("filename") or not str(body.get("length", "")).isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._file_ids):08d}"
        self.uploads[file_id] = b""
        return {
            "ok": True,
            "file_id": file_id,
            "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}",
        }

    def _api_files_completeUploadExternal(
        self, body: dict[str, Any], team: str | None
    ) -> dict[str, Any]:
        files = as_list(body.get("files"))
        if not files or any(f.get("id") not in self.uploads for f in files):
            return {"ok": False, "error": "file_not_found"}
        channel = body.get("channel_id")
        if channel and str(channel)[0] not in "CDG":
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}

    def _api_views_open(self, body: dict[str, Any], team: str | None) -> dict[str, Any]:
        if str(body.get("trigger_id", "")).startswith("expired"):
            return {"ok": False, "error": "expired_trigger_id"}
        view = body["view"]
        view = json.loads(view) if isinstance(view, str) else view
        return {"ok": True, "view": {**view, "id": f"V{next(self._ts):08d}"}}

    def _api_views_update(self, body: dict[str, Any], team: str | None) -> dict[str, Any]:
        """A view replaced in place, by its id."""
        view_id = body.get("view_id")
        if not view_id:
            return {"ok": False, "error": "invalid_arguments"}
        view = as_dict(body["view"])
        return {"ok": True, "view": {**view, "id": view_id}}

    def _api_views_publish(self, body: dict[str, Any], team: str | None) -> dict[str, Any]:
        user_id = str(body.get("user_id", ""))
        if user_id not in self.users or self._elsewhere(user_id, team):
            return {"ok": False, "error": "user_not_found"}
        view = as_dict(body["view"])
        if view.get("type") != "home":
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": {**view, "id": f"V{next(self._ts):08d}"}}
