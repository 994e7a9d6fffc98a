"""The stand-in's Web API: every method the bot calls, answered as Slack answers it over the
stand-in's workspace (workspace.py), for both faces. Who the app is, the people, and files shared
by upload are here; conversations and messages are in api_messages.py, views in api_views.py.

A method takes the stand-in, the call's arguments and the caller's workspace, and returns Slack's
answer; `METHODS` names them all."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.slack_standin import api_messages, api_views
from bot.slack_standin.wire import Json, as_list, refused

if TYPE_CHECKING:
    from bot.slack_standin.server import StandInServer


def auth_test(slack: StandInServer, body: Json, team: str | None) -> Json:
    """auth.test: who the token is, in which workspace."""
    app = slack.workspace.app
    return {
        "ok": True,
        "url": app.url,
        "team": app.team_name,
        "user": "secondment-mediator",
        "team_id": team,
        "user_id": app.bot_user,
        "bot_id": app.bot_id,
        "is_enterprise_install": False,
    }


def users_info(slack: StandInServer, body: Json, team: str | None) -> Json:
    """users.info: the person, if the caller's workspace can see them."""
    user_id = str(body.get("user"))
    person = slack.workspace.people.get(user_id)
    if person is None or slack.workspace.elsewhere(user_id, team):
        return refused("user_not_found")
    return {"ok": True, "user": person}


def files_get_upload_url(slack: StandInServer, body: Json, team: str | None) -> Json:
    """files.getUploadURLExternal: a new file id and the URL to post its bytes to."""
    filename = str(body.get("filename") or "")
    if not filename or not str(body.get("length", "")).isdigit():
        return refused("invalid_arguments")
    file_id = slack.workspace.new_id("F")
    slack.workspace.pending_uploads[file_id] = filename
    return {"ok": True, "file_id": file_id, "upload_url": f"{slack.base_url}/upload/{file_id}"}


def files_complete_upload(slack: StandInServer, body: Json, team: str | None) -> Json:
    """files.completeUploadExternal: the uploaded files, shared in a conversation as a message
    of the bot's with the `initial_comment` (without `channel_id`, kept private)."""
    workspace = slack.workspace
    files = as_list(body.get("files"))
    if not files or any(f.get("id") not in workspace.uploads for f in files):
        return refused("file_not_found")
    answer = {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
    if not body.get("channel_id"):
        return answer
    channel = str(body["channel_id"])
    conversation = api_messages.conversation_named(workspace, channel, team, people=False)
    if isinstance(conversation, str):
        return refused(conversation)
    shared = [workspace.uploads[f["id"]].shared(f["id"]) for f in files]
    comment = str(body.get("initial_comment") or "")
    workspace.post(conversation.id, workspace.app.bot_user, comment, None, files=shared)
    return answer


Method = Callable[["StandInServer", Json, str | None], Json]
METHODS: dict[str, Method] = {
    "auth.test": auth_test,
    "users.info": users_info,
    "conversations.open": api_messages.conversations_open,
    "conversations.members": api_messages.conversations_members,
    "conversations.history": api_messages.conversations_history,
    "conversations.replies": api_messages.conversations_replies,
    "chat.postMessage": api_messages.chat_post_message,
    "chat.postEphemeral": api_messages.chat_post_ephemeral,
    "chat.update": api_messages.chat_update,
    "chat.getPermalink": api_messages.chat_get_permalink,
    "files.getUploadURLExternal": files_get_upload_url,
    "files.completeUploadExternal": files_complete_upload,
    "views.open": api_views.views_open,
    "views.push": api_views.views_push,
    "views.update": api_views.views_update,
    "views.publish": api_views.views_publish,
}
