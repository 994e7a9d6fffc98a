"""A workspace kept between the sandbox's runs: everything a later run needs to show the same
workspace, as JSON, and taking it up again. The people and the app are the sandbox's own and are
not kept."""

from __future__ import annotations

import base64
import re
from dataclasses import asdict

from bot.slack_standin.messages import Conversation, Message
from bot.slack_standin.views import Upload, View
from bot.slack_standin.wire import Json
from bot.slack_standin.workspace import Workspace

# Where an earlier run's links pointed: the stand-in's port of that run.
_OLD_FILE_LINK = re.compile(r"^http://127\.0\.0\.1:\d+(?=/files/)")


def saved(workspace: Workspace) -> Json:
    """Everything a later run needs to show the same workspace, as JSON."""
    return {
        "last_id": workspace.last_id,
        "conversations": [asdict(c) for c in workspace.conversations.values()],
        "modals": {user: [asdict(v) for v in stack] for user, stack in workspace.modals.items()},
        "homes": {user: asdict(home) for user, home in workspace.homes.items()},
        "uploads": {
            file_id: {"name": upload.name, "content": base64.b64encode(upload.content).decode()}
            for file_id, upload in workspace.uploads.items()
        },
        "read": workspace.read,
    }


def restore(workspace: Workspace, saved: Json) -> None:
    """Take up the workspace an earlier run `saved`."""
    workspace.last_id = int(saved["last_id"])
    for conversation in saved["conversations"]:
        messages = [_message(m) for m in conversation.pop("messages")]
        workspace.conversations[conversation["id"]] = Conversation(
            **conversation, messages=messages
        )
    workspace.index()
    for user, stack in saved["modals"].items():
        workspace.modals[user] = [View(**view) for view in stack]
    workspace.homes = {user: View(**home) for user, home in saved["homes"].items()}
    workspace.uploads = {
        file_id: Upload(upload["name"], base64.b64decode(upload["content"]))
        for file_id, upload in saved["uploads"].items()
    }
    workspace.read = {user: dict(marks) for user, marks in saved.get("read", {}).items()}


def _message(saved: Json) -> Message:
    """A saved message, with its links made relative to the page."""
    replies = [_message(reply) for reply in saved.pop("replies")]
    files = [{**f, "url": _OLD_FILE_LINK.sub("", f["url"])} for f in saved.pop("files", [])]
    return Message(**saved, replies=replies, files=files)
