"""The Web API methods of the tests' face of the stand-in (recording.py), each answering as Slack
does over what that face holds: its people, conversations and uploads. A method takes the
stand-in, the call's arguments and the caller's workspace, and returns Slack's answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.slack_standin.people import elsewhere, home_refusal, users_info
from bot.slack_standin.wire import Json, as_dict, as_list, page

if TYPE_CHECKING:
    from bot.slack_standin.recording import RecordingSlack


def auth_test(slack: RecordingSlack, body: Json, team: str | None) -> Json:
    """auth.test: who the token is, in which workspace."""
    return {
        "ok": True,
        "url": "https://test.slack.com/",
        "team": "Test",
        "user": "bot",
        "team_id": team,
        "user_id": slack.app.bot_user_id,
        "bot_id": "B0BOT",
    }


def apps_connections_open(slack: RecordingSlack, body: Json, team: str | None) -> Json:
    """apps.connections.open: where the app's Socket Mode connection goes."""
    return {"ok": True, "url": f"ws://127.0.0.1:{slack.port}/link"}


def conversations_open(slack: RecordingSlack, body: Json, team: str | None) -> Json:
    """conversations.open: the bot's DM with one person, or a group DM with several."""
    ids = sorted(str(body.get("users", "")).split(","))
    if len(ids) == 1 and ids[0] not in slack.users:
        # As chat.postMessage to a person: the tests' crowds are not all set up as users.
        return {"ok": True, "channel": {"id": "D" + ids[0][1:]}}
    for user_id in ids:
        user = slack.users.get(user_id)
        if user is None or elsewhere(slack.users, user_id, team):
            return {"ok": False, "error": "user_not_found"}
        if user["deleted"]:
            return {"ok": False, "error": "user_disabled"}
    if len(ids) == 1:  # a DM with the bot, as chat.postMessage to the person opens it
        return {"ok": True, "channel": {"id": "D" + ids[0][1:]}}
    return {"ok": True, "channel": {"id": "G" + "".join(i[-3:] for i in ids).upper()}}


def conversations_members(slack: RecordingSlack, body: Json, team: str | None) -> Json:
    """conversations.members: who is in a channel of the app's first workspace."""
    members = slack.channel_members.get(str(body.get("channel")))
    if members is None or team != slack.app.team_id:  # the channels it knows are all there
        return {"ok": False, "error": "channel_not_found"}
    return {"ok": True, "members": members, "response_metadata": {"next_cursor": ""}}


def chat_post_message(slack: RecordingSlack, body: Json, team: str | None) -> Json:
    """chat.postMessage: the message kept in its conversation (a person's id: their DM)."""
    channel = str(body["channel"])
    if channel.startswith(("U", "W")):  # a DM: Slack answers with the IM's channel id
        if elsewhere(slack.users, channel, team):
            return {"ok": False, "error": "channel_not_found"}
        if slack.users.get(channel, {}).get("deleted"):
            return {"ok": False, "error": "user_disabled"}
        channel = "D" + channel[1:]
    message = {
        "type": "message",
        "user": slack.app.bot_user_id,
        "ts": slack.next_ts(),
        "text": body.get("text"),
        "blocks": body.get("blocks"),
    }
    if body.get("thread_ts"):
        message["thread_ts"] = body["thread_ts"]
    if body.get("metadata"):
        message["metadata"] = as_dict(body["metadata"])
    slack.conversations[channel].append(message)
    return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}


def conversations_history(slack: RecordingSlack, body: Json, team: str | None) -> Json:
    """The conversation's own messages (not replies in threads), newest first."""
    shown = [
        m
        for m in slack.conversations.get(str(body.get("channel")), [])
        if m.get("thread_ts", m["ts"]) == m["ts"]
    ]
    return page(list(reversed(shown)), body)


def conversations_replies(slack: RecordingSlack, body: Json, team: str | None) -> Json:
    """A thread: its parent, then its replies, oldest first."""
    ts = str(body.get("ts"))
    thread = [
        m
        for m in slack.conversations.get(str(body.get("channel")), [])
        if m["ts"] == ts or m.get("thread_ts") == ts
    ]
    if not thread:
        return {"ok": False, "error": "thread_not_found"}
    return page(thread, body)


def chat_update(slack: RecordingSlack, body: Json, team: str | None) -> Json:
    """Slack edits the message in place; one it does not have is `message_not_found`. (A
    conversation the stand-in never saw, such as a seeded thread, is taken as it is, and so
    is every message when another stand-in posted them: `holds_every_message`.)"""
    channel, ts = str(body["channel"]), str(body["ts"])
    if channel in slack.conversations and slack.holds_every_message:
        found = [m for m in slack.conversations[channel] if m["ts"] == ts]
        if not found:
            return {"ok": False, "error": "message_not_found"}
        found[0].update(text=body.get("text"), blocks=body.get("blocks"))
    return {"ok": True, "channel": channel, "ts": ts}


def chat_post_ephemeral(slack: RecordingSlack, body: Json, team: str | None) -> Json:
    """chat.postEphemeral: taken, with a ts."""
    return {"ok": True, "message_ts": slack.next_ts()}


def chat_get_permalink(slack: RecordingSlack, body: Json, team: str | None) -> Json:
    """chat.getPermalink: the message's link, as Slack makes them."""
    ts = str(body["message_ts"]).replace(".", "")
    return {
        "ok": True,
        "channel": body["channel"],
        "permalink": f"https://test.slack.com/archives/{body['channel']}/p{ts}",
    }


def files_get_upload_url(slack: RecordingSlack, body: Json, team: str | None) -> Json:
    """files.getUploadURLExternal: a new file id and the URL to post its bytes to."""
    if not body.get("filename") or not str(body.get("length", "")).isdigit():
        return {"ok": False, "error": "invalid_arguments"}
    file_id = slack.new_file_id()
    slack.uploads[file_id] = b""
    return {"ok": True, "file_id": file_id, "upload_url": f"{slack.base_url}/upload/{file_id}"}


def files_complete_upload(slack: RecordingSlack, body: Json, team: str | None) -> Json:
    """files.completeUploadExternal: the uploaded files shared in a conversation."""
    files = as_list(body.get("files"))
    if not files or any(f.get("id") not in slack.uploads for f in files):
        return {"ok": False, "error": "file_not_found"}
    channel = body.get("channel_id")
    if channel and str(channel)[0] not in "CDG":
        return {"ok": False, "error": "channel_not_found"}
    return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}


def views_open(slack: RecordingSlack, body: Json, team: str | None) -> Json:
    """views.open: a modal, unless its trigger id has expired."""
    if str(body.get("trigger_id", "")).startswith("expired"):
        return {"ok": False, "error": "expired_trigger_id"}
    view = body["view"]
    view = json.loads(view) if isinstance(view, str) else view
    return {"ok": True, "view": {**view, "id": slack.new_view_id()}}


def views_update(slack: RecordingSlack, body: Json, team: str | None) -> Json:
    """A view replaced in place, by its id."""
    view_id = body.get("view_id")
    if not view_id:
        return {"ok": False, "error": "invalid_arguments"}
    view = as_dict(body["view"])
    return {"ok": True, "view": {**view, "id": view_id}}


def views_publish(slack: RecordingSlack, body: Json, team: str | None) -> Json:
    """views.publish: a person's App Home."""
    view = as_dict(body["view"])
    refusal = home_refusal(slack.users, str(body.get("user_id", "")), view, team)
    if refusal:
        return {"ok": False, "error": refusal}
    return {"ok": True, "view": {**view, "id": slack.new_view_id()}}


METHODS: dict[str, Callable[[RecordingSlack, Json, str | None], Json]] = {
    "auth.test": auth_test,
    "apps.connections.open": apps_connections_open,
    "users.info": lambda slack, body, team: users_info(slack.users, body, team),
    "conversations.open": conversations_open,
    "conversations.members": conversations_members,
    "conversations.history": conversations_history,
    "conversations.replies": conversations_replies,
    "chat.postMessage": chat_post_message,
    "chat.update": chat_update,
    "chat.postEphemeral": chat_post_ephemeral,
    "chat.getPermalink": chat_get_permalink,
    "files.getUploadURLExternal": files_get_upload_url,
    "files.completeUploadExternal": files_complete_upload,
    "views.open": views_open,
    "views.update": views_update,
    "views.publish": views_publish,
}
