"""The sandbox's stand-in of Slack's Web API, over the workspace model, on 127.0.0.1.

It answers the methods the bot calls the way Slack does (`ok`, or `ok: false` with Slack's error
code), refuses any token but the sandbox's bot token (`invalid_auth`), and checks every Block Kit
payload with slack_sdk.models (`invalid_blocks`). Besides `/api/<method>` it serves the response
URLs it hands out with each command and click (`/respond/<name>`: an ephemeral reply to the person
who acted, or `replace_original` / `delete_original` on the message they clicked) and the upload
URLs of files.uploadV2. A shared file's link is the page's own `/files/<id>/<name>`
(bot/sandbox/server.py), so it outlives this stand-in's port.

A permalink (chat.getPermalink) is the sandbox page's URL with `#<channel>/<ts>`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.sandbox.personas import BOT, EVERYONE, TEAM_ID, TEAM_NAME, TIMEZONE
from bot.sandbox.webapi import as_dict, as_list, block_kit_problem, error, read_body
from bot.sandbox.workspace import Json, Message, Upload, Workspace, file_path

log = logging.getLogger(__name__)
Method = Callable[[Json], Json]
MODAL_STACK = 3  # views in one modal at most: the root and two pushed over it


class SandboxSlack:
    def __init__(self, workspace: Workspace, bot_token: str) -> None:
        self.workspace = workspace
        self._token = bot_token
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.page_url = ""  # where permalinks point; set once the page is served
        self._methods: dict[str, Method] = {
            "auth.test": self._auth_test,
            "users.info": self._users_info,
            "conversations.open": self._conversations_open,
            "conversations.members": self._conversations_members,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.getPermalink": self._chat_get_permalink,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
        }

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, name: str) -> str:
        return f"{self.base_url}/respond/{name}"

    async def start(self) -> None:
        app = web.Application(middlewares=[_close_connection])
        app.router.add_route("*", "/api/{method}", self._handle_api)  # users.info is a GET
        app.router.add_post("/respond/{name}", self._handle_response_url)
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # --- HTTP --------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        body = await read_body(request)
        token = (request.headers.get("Authorization") or "").removeprefix("Bearer ")
        if (token or body.get("token")) != self._token:
            return error("invalid_auth")
        method = self._methods.get(name)
        if method is None:
            return error("unknown_method")
        problem = block_kit_problem(name, body)
        if problem:
            log.warning("Slack would refuse the bot's %s: %s", name, problem)
            return error("invalid_blocks", errors=[problem])
        return web.json_response(method(body))

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        reply = self.workspace.replies.get(request.match_info["name"])
        if reply is None:
            return web.Response(status=404, text="no_such_response_url")
        body = await request.json()
        problem = block_kit_problem("response_url", body)
        if problem:
            log.warning("Slack would refuse the bot's reply: %s", problem)
            return web.Response(status=400, text="invalid_blocks")
        workspace = self.workspace
        original = workspace.find(reply.channel, reply.message_ts)
        if original is not None and _true(body.get("delete_original")):
            workspace.delete(reply.channel, original)
        elif original is not None and _true(body.get("replace_original")):
            workspace.edit(original, str(body.get("text", "")), _blocks(body))
        else:
            workspace.post(
                reply.channel,
                BOT.id,
                str(body.get("text", "")),
                _blocks(body),
                thread_ts=original.thread_ts if original else None,
                visible_to=None if body.get("response_type") == "in_channel" else reply.user,
            )
        return web.Response(text="ok")

    async def _handle_upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        pending = self.workspace.pending_uploads.get(file_id)
        if pending is None:
            return web.Response(status=404, text="unknown upload")
        self.workspace.uploads[file_id] = Upload(pending, await request.read())
        return web.Response(text="OK")

    # --- the Web API methods -----------------------------------------------------------------

    def _auth_test(self, body: Json) -> Json:
        return {
            "ok": True,
            "url": "https://sandbox.slack.com/",
            "team": TEAM_NAME,
            "user": "secondment-mediator",
            "team_id": TEAM_ID,
            "user_id": BOT.id,
            "bot_id": "B0SANDBOT",
            "is_enterprise_install": False,
        }

    def _users_info(self, body: Json) -> Json:
        person = EVERYONE.get(str(body.get("user")))
        if person is None:
            return {"ok": False, "error": "user_not_found"}
        return {
            "ok": True,
            "user": {
                "id": person.id,
                "team_id": TEAM_ID,
                "name": person.name.split()[0].lower(),
                "real_name": person.name,
                "deleted": False,
                "is_bot": person.is_bot,
                "tz": TIMEZONE,
                "profile": {"real_name": person.name, "display_name": person.name},
            },
        }

    def _conversations_open(self, body: Json) -> Json:
        users = [u for u in str(body.get("users", "")).split(",") if u]
        if not users or any(u not in EVERYONE for u in users):
            return {"ok": False, "error": "user_not_found"}
        workspace = self.workspace
        conversation = workspace.dm(users[0]) if len(users) == 1 else workspace.group(users)
        workspace.changed()
        return {"ok": True, "channel": {"id": conversation.id}}

    def _conversations_members(self, body: Json) -> Json:
        conversation = self.workspace.conversations.get(str(body.get("channel")))
        if conversation is None:
            return {"ok": False, "error": "channel_not_found"}
        return {
            "ok": True,
            "members": conversation.members,
            "response_metadata": {"next_cursor": ""},
        }

    def _conversations_history(self, body: Json) -> Json:
        """A conversation's messages, newest first (the bot looks for one it may have sent)."""
        conversation = self.workspace.conversations.get(str(body.get("channel")))
        if conversation is None:
            return {"ok": False, "error": "channel_not_found"}
        return _page(list(reversed(conversation.messages)), body)

    def _conversations_replies(self, body: Json) -> Json:
        """A thread: its parent, then its replies."""
        parent = self.workspace.find(str(body.get("channel")), str(body.get("ts")))
        if parent is None:
            return {"ok": False, "error": "thread_not_found"}
        return _page([parent, *parent.replies], body)

    def _channel(self, body: Json, key: str = "channel") -> str | None:
        """The conversation a call names: a user id means the bot's DM with that person."""
        channel = str(body.get(key) or "")
        if channel in EVERYONE and channel != BOT.id:
            return self.workspace.dm(channel).id
        return channel if channel in self.workspace.conversations else None

    def _chat_post_message(self, body: Json) -> Json:
        channel = self._channel(body)
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        thread_ts = body.get("thread_ts")
        if thread_ts and self.workspace.find(channel, str(thread_ts)) is None:
            return {"ok": False, "error": "thread_not_found"}
        message = self.workspace.post(
            channel,
            BOT.id,
            str(body.get("text", "")),
            _blocks(body),
            thread_ts=str(thread_ts) if thread_ts else None,
            metadata=_metadata(body),
        )
        return {"ok": True, "channel": channel, "ts": message.ts, "message": message.as_slack()}

    def _chat_update(self, body: Json) -> Json:
        channel = self._channel(body)
        message = self.workspace.find(channel or "", str(body.get("ts")))
        if channel is None or message is None:
            return {"ok": False, "error": "message_not_found"}
        if message.user != BOT.id:
            return {"ok": False, "error": "cant_update_message"}
        self.workspace.edit(message, str(body.get("text", "")), _blocks(body))
        return {"ok": True, "channel": channel, "ts": message.ts, "text": message.text}

    def _chat_get_permalink(self, body: Json) -> Json:
        channel = self._channel(body)
        ts = str(body.get("message_ts"))
        if channel is None or self.workspace.find(channel, ts) is None:
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": channel, "permalink": f"{self.page_url}#{channel}/{ts}"}

    def _files_get_upload_url(self, body: Json) -> Json:
        filename = str(body.get("filename") or "")
        if not filename or not str(body.get("length", "")).isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = self.workspace.new_id("F")
        self.workspace.pending_uploads[file_id] = filename
        return {"ok": True, "file_id": file_id, "upload_url": f"{self.base_url}/upload/{file_id}"}

    def _files_complete_upload(self, body: Json) -> Json:
        files = as_list(body.get("files"))
        if not files or any(f.get("id") not in self.workspace.uploads for f in files):
            return {"ok": False, "error": "file_not_found"}
        channel = self._channel(body, "channel_id")
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        shared = [self._shared(f["id"]) for f in files]
        self.workspace.post(
            channel, BOT.id, str(body.get("initial_comment") or ""), None, files=shared
        )
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}

    def _shared(self, file_id: str) -> dict[str, str]:
        name = self.workspace.uploads[file_id].name
        return {"name": name, "url": file_path(file_id, name)}

    def _views_open(self, body: Json) -> Json:
        """A new modal: its view is the root, in place of any the person had left open (a page
        reloaded with a form on it, say, which in Slack would have closed it)."""
        user = self.workspace.triggers.pop(str(body.get("trigger_id")), None)
        if user is None:
            return {"ok": False, "error": "expired_trigger_id"}
        self.workspace.close(user, "", clear=True)
        opened = self.workspace.push(user, as_dict(body["view"]))
        return {"ok": True, "view": opened.as_slack()}

    def _views_push(self, body: Json) -> Json:
        """A view over the open modal's: Slack allows two over the root, three in all."""
        user = self.workspace.triggers.pop(str(body.get("trigger_id")), None)
        if user is None:
            return {"ok": False, "error": "expired_trigger_id"}
        if len(self.workspace.modals[user]) >= MODAL_STACK:
            return {"ok": False, "error": "push_limit_reached"}
        opened = self.workspace.push(user, as_dict(body["view"]))
        return {"ok": True, "view": opened.as_slack()}

    def _views_update(self, body: Json) -> Json:
        owner = self.workspace.owner_of(str(body.get("view_id")))
        if owner is None:
            return {"ok": False, "error": "not_found"}
        _, view = owner
        if body.get("hash") and body["hash"] != view.hash:
            return {"ok": False, "error": "hash_conflict"}
        return {"ok": True, "view": self.workspace.replace(view, as_dict(body["view"])).as_slack()}

    def _views_publish(self, body: Json) -> Json:
        user = str(body.get("user_id"))
        view = as_dict(body["view"])
        if user not in EVERYONE:
            return {"ok": False, "error": "user_not_found"}
        if view.get("type") != "home":
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": self.workspace.publish_home(user, view).as_slack()}


@web.middleware
async def _close_connection(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer each call on a connection of its own: an idle kept-alive connection would keep
    its handler task alive, and the bot's shutdown waits for every task it finds."""
    response = await handler(request)
    response.force_close()
    return response


def _blocks(body: Json) -> list[Json] | None:
    return as_list(body["blocks"]) if body.get("blocks") else None


def _true(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _metadata(body: Json) -> Json | None:
    metadata = body.get("metadata")
    if isinstance(metadata, str):
        metadata = json.loads(metadata)
    return metadata if isinstance(metadata, dict) else None


def _page(messages: list[Message], body: Json) -> Json:
    limit = int(body.get("limit") or 100)
    with_metadata = str(body.get("include_all_metadata")).lower() in ("1", "true")
    shown = []
    for message in messages[:limit]:
        as_slack = message.as_slack()
        if not with_metadata:
            as_slack.pop("metadata", None)
        shown.append(as_slack)
    return {"ok": True, "messages": shown, "has_more": len(messages) > limit}
