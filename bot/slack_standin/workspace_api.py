"""The sandbox's face of the stand-in: Slack's Web API over the sandbox's workspace
(workspace.py), on 127.0.0.1.

It answers the methods the bot calls the way Slack does (`ok`, or `ok: false` with Slack's error
code), refuses any token but the sandbox's bot token (`invalid_auth`), and checks every Block Kit
payload (`invalid_blocks`), through `StandInServer`. Besides `/api/<method>` it serves the response
URLs it hands out with each command and click (`/respond/<name>`: an ephemeral reply to the person
who acted, or `replace_original` / `delete_original` on the message they clicked) and the upload
URLs of files.uploadV2. A shared file's link is the page's own `/files/<id>/<name>`
(bot/sandbox/server.py), so it outlives this stand-in's port.

A permalink (chat.getPermalink) is the sandbox page's URL with `#<channel>/<ts>`.
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from bot.slack_standin.messages import Message
from bot.slack_standin.people import home_refusal, users_info
from bot.slack_standin.personas import BOT, EVERYONE, TEAM_ID, TEAM_NAME, TIMEZONE, Persona
from bot.slack_standin.server import Method, StandInServer
from bot.slack_standin.views import Upload, file_path
from bot.slack_standin.wire import Json, as_dict, as_list, blocks_of, is_true, metadata_of, page
from bot.slack_standin.workspace import Workspace

log = logging.getLogger(__name__)
MODAL_STACK = 3  # views in one modal at most: the root and two pushed over it


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


USERS = {person.id: _user(person) for person in EVERYONE.values()}


class WorkspaceSlack(StandInServer):
    """Slack as the sandbox's people meet it: the Web API over their workspace."""

    QUIET = True

    def __init__(self, workspace: Workspace, bot_token: str) -> None:
        self.workspace = workspace
        self.tokens = {bot_token: TEAM_ID}
        self.invalid = []
        self._runner = None
        self.port = 0
        self.page_url = ""  # where permalinks point; set once the page is served
        self._methods: dict[str, Method] = {
            "auth.test": self._auth_test,
            "users.info": lambda body, team: users_info(USERS, body, team),
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

    def _method(self, name: str) -> Method | None:
        return self._methods.get(name)

    def _middlewares(self) -> list[Middleware]:
        return [_close_connection]

    def _blocks_refused(self, method: str, body: Json) -> str | None:
        problem = super()._blocks_refused(method, body)
        if problem:
            log.warning("Slack would refuse the bot's %s: %s", method, problem)
        return problem

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        reply = self.workspace.replies.get(request.match_info["name"])
        if reply is None:
            return web.Response(status=404, text="no_such_response_url")
        body = await request.json()
        if self._blocks_refused("response_url", body):
            return web.Response(status=400, text="invalid_blocks")
        workspace = self.workspace
        original = workspace.find(reply.channel, reply.message_ts)
        if original is not None and is_true(body.get("delete_original")):
            workspace.delete(reply.channel, original)
        elif original is not None and is_true(body.get("replace_original")):
            workspace.edit(original, str(body.get("text", "")), blocks_of(body))
        else:
            workspace.post(
                reply.channel,
                BOT.id,
                str(body.get("text", "")),
                blocks_of(body),
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

    def _auth_test(self, body: Json, team: str | None) -> Json:
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

    def _conversations_open(self, body: Json, team: str | None) -> Json:
        users = [u for u in str(body.get("users", "")).split(",") if u]
        if not users or any(u not in EVERYONE for u in users):
            return {"ok": False, "error": "user_not_found"}
        workspace = self.workspace
        conversation = workspace.dm(users[0]) if len(users) == 1 else workspace.group(users)
        workspace.changed()
        return {"ok": True, "channel": {"id": conversation.id}}

    def _conversations_members(self, body: Json, team: str | None) -> Json:
        conversation = self.workspace.conversations.get(str(body.get("channel")))
        if conversation is None:
            return {"ok": False, "error": "channel_not_found"}
        return {
            "ok": True,
            "members": conversation.members,
            "response_metadata": {"next_cursor": ""},
        }

    def _conversations_history(self, body: Json, team: str | None) -> Json:
        """A conversation's messages, newest first (the bot looks for one it may have sent)."""
        conversation = self.workspace.conversations.get(str(body.get("channel")))
        if conversation is None:
            return {"ok": False, "error": "channel_not_found"}
        return _page(list(reversed(conversation.messages)), body)

    def _conversations_replies(self, body: Json, team: str | None) -> Json:
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

    def _chat_post_message(self, body: Json, team: str | None) -> Json:
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
            blocks_of(body),
            thread_ts=str(thread_ts) if thread_ts else None,
            metadata=metadata_of(body),
        )
        return {"ok": True, "channel": channel, "ts": message.ts, "message": message.as_slack()}

    def _chat_update(self, body: Json, team: str | None) -> Json:
        channel = self._channel(body)
        message = self.workspace.find(channel or "", str(body.get("ts")))
        if channel is None or message is None:
            return {"ok": False, "error": "message_not_found"}
        if message.user != BOT.id:
            return {"ok": False, "error": "cant_update_message"}
        self.workspace.edit(message, str(body.get("text", "")), blocks_of(body))
        return {"ok": True, "channel": channel, "ts": message.ts, "text": message.text}

    def _chat_get_permalink(self, body: Json, team: str | None) -> Json:
        channel = self._channel(body)
        ts = str(body.get("message_ts"))
        if channel is None or self.workspace.find(channel, ts) is None:
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": channel, "permalink": f"{self.page_url}#{channel}/{ts}"}

    def _files_get_upload_url(self, body: Json, team: str | None) -> Json:
        filename = str(body.get("filename") or "")
        if not filename or not str(body.get("length", "")).isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = self.workspace.new_id("F")
        self.workspace.pending_uploads[file_id] = filename
        return {"ok": True, "file_id": file_id, "upload_url": f"{self.base_url}/upload/{file_id}"}

    def _files_complete_upload(self, body: Json, team: str | None) -> Json:
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

    def _views_open(self, body: Json, team: str | None) -> Json:
        """A new modal: its view is the root, in place of any the person had left open (a page
        reloaded with a form on it, say, which in Slack would have closed it)."""
        user = self.workspace.triggers.pop(str(body.get("trigger_id")), None)
        if user is None:
            return {"ok": False, "error": "expired_trigger_id"}
        self.workspace.close(user, "", clear=True)
        opened = self.workspace.push(user, as_dict(body["view"]))
        return {"ok": True, "view": opened.as_slack()}

    def _views_push(self, body: Json, team: str | None) -> Json:
        """A view over the open modal's: Slack allows two over the root, three in all."""
        user = self.workspace.triggers.pop(str(body.get("trigger_id")), None)
        if user is None:
            return {"ok": False, "error": "expired_trigger_id"}
        if len(self.workspace.modals[user]) >= MODAL_STACK:
            return {"ok": False, "error": "push_limit_reached"}
        opened = self.workspace.push(user, as_dict(body["view"]))
        return {"ok": True, "view": opened.as_slack()}

    def _views_update(self, body: Json, team: str | None) -> Json:
        owner = self.workspace.owner_of(str(body.get("view_id")))
        if owner is None:
            return {"ok": False, "error": "not_found"}
        _, view = owner
        if body.get("hash") and body["hash"] != view.hash:
            return {"ok": False, "error": "hash_conflict"}
        return {"ok": True, "view": self.workspace.replace(view, as_dict(body["view"])).as_slack()}

    def _views_publish(self, body: Json, team: str | None) -> Json:
        view = as_dict(body["view"])
        refusal = home_refusal(USERS, str(body.get("user_id")), view, team)
        if refusal:
            return {"ok": False, "error": refusal}
        return {
            "ok": True,
            "view": self.workspace.publish_home(str(body["user_id"]), view).as_slack(),
        }


@web.middleware
async def _close_connection(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer each call on a connection of its own: an idle kept-alive connection would keep
    its handler task alive, and the bot's shutdown waits for every task it finds."""
    response = await handler(request)
    response.force_close()
    return response


def _page(messages: list[Message], body: Json) -> Json:
    """A page of these messages, as Slack hands them back."""
    return page([message.as_slack() for message in messages], body)
