"""The sandbox's Slack workspace as data: conversations (the bot's DM with each person, group DMs
and channels) with their messages, threads, edits and ephemeral replies; each person's stack of
open modals and their App Home; the trigger ids and response URLs handed out with each request;
uploaded files; how far each person has read each conversation. The Web API (slack.py) and the
people's actions (actions.py) change it; `seen_by` is the workspace as one person sees it, the
page's `/api/state`. Every change counts up `version` and calls `on_change`, which the sandbox
uses to save the workspace as it changes."""

from __future__ import annotations

import asyncio
import base64
import re
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import quote

from bot.clock import Clock
from bot.sandbox.personas import BOT, EVERYONE, PEOPLE, SLACKBOT, TEAM_ID, TEAM_NAME, TIMEZONE

Json = dict[str, Any]


@dataclass
class Message:
    ts: str
    user: str
    text: str
    blocks: list[Json] | None = None
    thread_ts: str | None = None  # the parent's ts, for a reply in a thread
    replies: list[Message] = field(default_factory=list)
    visible_to: str | None = None  # an ephemeral message: only this person sees it
    edited: bool = False
    files: list[dict[str, str]] = field(default_factory=list)
    metadata: Json | None = None  # the bot's message metadata, as Slack keeps it

    def shown_to(self, me: str) -> bool:
        return self.visible_to in (None, me)

    def seen_by(self, me: str) -> Json:
        return {
            "ts": self.ts,
            "user": self.user,
            "text": self.text,
            "blocks": self.blocks,
            "replies": [reply.seen_by(me) for reply in self.replies if reply.shown_to(me)],
            "ephemeral": self.visible_to is not None,
            "edited": self.edited,
            "files": self.files,
        }

    def as_slack(self) -> Json:
        """The message as Slack hands it back in a block_actions payload."""
        message: Json = {"type": "message", "ts": self.ts, "user": self.user, "text": self.text}
        if self.user == BOT.id:
            message.update(bot_id="B0SANDBOT", app_id="A0APP")
        if self.blocks is not None:
            message["blocks"] = self.blocks
        if self.thread_ts:
            message["thread_ts"] = self.thread_ts
        if self.metadata is not None:
            message["metadata"] = self.metadata
        return message


@dataclass
class Conversation:
    id: str
    name: str
    kind: str  # "dm" | "group" | "channel"
    members: list[str]
    messages: list[Message] = field(default_factory=list)


@dataclass
class View:
    """A modal or a Home as the bot sent it, with the id, hash and field errors Slack adds."""

    id: str
    view: Json
    hash: str
    errors: dict[str, str] = field(default_factory=dict)

    def as_slack(self, values: dict[str, Json] | None = None) -> Json:
        """The view as Slack sends it back in a payload, with the state of its inputs."""
        return {
            "id": self.id,
            "team_id": TEAM_ID,
            "callback_id": "",
            "private_metadata": "",
            "external_id": "",
            **self.view,
            "state": {"values": values or {}},
            "hash": self.hash,
            "app_id": "A0APP",
            "bot_id": "B0SANDBOT",
            "root_view_id": self.id,
            "previous_view_id": None,
        }


@dataclass(frozen=True, slots=True)
class Reply:
    """Where a response URL's reply goes: to whom, in which conversation, about which message."""

    user: str
    channel: str
    message_ts: str | None = None


@dataclass(frozen=True, slots=True)
class Upload:
    name: str
    content: bytes


class Workspace:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.on_change: Callable[[], None] = lambda: None
        self.version = 0
        # This run's name: a version number alone starts again at 0 after a restart.
        self.run = secrets.token_hex(4)
        self._last_id = 0
        self._changed = asyncio.Event()
        self._start()

    def _start(self) -> None:
        """The workspace as a first run finds it: each person's DM with the bot, nothing else."""
        self.conversations: dict[str, Conversation] = {}
        self.modals: dict[str, list[View]] = {person.id: [] for person in PEOPLE}
        self.homes: dict[str, View] = {}
        self.triggers: dict[str, str] = {}  # trigger id -> who acted
        self.replies: dict[str, Reply] = {}  # response URL name -> where the reply goes
        self.pending_uploads: dict[str, str] = {}  # file id -> its name, until its bytes come
        self.uploads: dict[str, Upload] = {}
        self.read: dict[str, dict[str, str]] = {}  # person -> conversation -> last ts read
        for person in PEOPLE:
            self.dm(person.id)

    def reset(self) -> None:
        """Back to the starting workspace. Ids go on counting, so nothing a page still shows
        can be mistaken for something new."""
        self._start()
        self.changed()

    # --- ids and change ----------------------------------------------------------------------

    def _next(self) -> int:
        self._last_id += 1
        return self._last_id

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{self._next():08d}"

    def next_ts(self) -> str:
        """A message ts as Slack makes them: the (sandbox) time in seconds, unique after the dot."""
        return f"{int(self.clock.now().timestamp())}.{self._next() % 1_000_000:06d}"

    def changed(self) -> None:
        self.version += 1
        self.on_change()
        self._changed.set()
        self._changed = asyncio.Event()

    def next_change(self) -> asyncio.Event:
        """The event the next change after now sets: taken before reading the workspace, so a
        change made while the reader is busy still wakes it."""
        return self._changed

    async def wait_until(self, condition: Callable[[], bool]) -> None:
        """Wait, on changes and never on a clock, until `condition` holds."""
        while not condition():
            await self._changed.wait()

    # --- conversations and messages ----------------------------------------------------------

    def dm(self, user_id: str) -> Conversation:
        """The bot's direct-message conversation with `user_id`."""
        channel = "D" + user_id[1:]
        if channel not in self.conversations:
            self.conversations[channel] = Conversation(
                channel, EVERYONE[BOT.id].name, "dm", [user_id, BOT.id]
            )
        return self.conversations[channel]

    def group(self, user_ids: list[str]) -> Conversation:
        """The group DM of these people and the bot (the same one however they are ordered)."""
        people = sorted(set(user_ids) - {BOT.id})
        channel = "G" + "".join(person[-4:] for person in people)
        if channel not in self.conversations:
            name = ", ".join(EVERYONE[person].name for person in people)
            self.conversations[channel] = Conversation(channel, name, "group", [*people, BOT.id])
        return self.conversations[channel]

    def post(
        self,
        channel: str,
        user: str,
        text: str,
        blocks: list[Json] | None = None,
        *,
        thread_ts: str | None = None,
        visible_to: str | None = None,
        files: list[dict[str, str]] | None = None,
        metadata: Json | None = None,
    ) -> Message:
        conversation = self.conversations[channel]
        message = Message(
            self.next_ts(),
            user,
            text,
            blocks,
            visible_to=visible_to,
            files=files or [],
            metadata=metadata,
        )
        parent = self.find(channel, thread_ts) if thread_ts else None
        if parent is not None:
            message.thread_ts = parent.ts
            parent.replies.append(message)
        else:
            conversation.messages.append(message)
        self.changed()
        return message

    def find(self, channel: str, ts: str | None) -> Message | None:
        conversation = self.conversations.get(channel)
        for message in conversation.messages if conversation else []:
            if message.ts == ts:
                return message
            for reply in message.replies:
                if reply.ts == ts:
                    return reply
        return None

    def edit(self, message: Message, text: str, blocks: list[Json] | None) -> None:
        message.text, message.blocks, message.edited = text, blocks, True
        self.changed()

    def delete(self, channel: str, message: Message) -> None:
        conversation = self.conversations[channel]
        parent = self.find(channel, message.thread_ts) if message.thread_ts else None
        (parent.replies if parent else conversation.messages).remove(message)
        self.changed()

    def mark_read(self, user_id: str, channel: str) -> None:
        """`user_id` has seen everything in this conversation so far."""
        conversation = self.conversations.get(channel)
        if conversation is None or user_id not in conversation.members:
            return
        latest = max((m.ts for m in _everything(conversation)), key=float, default="")
        if latest and self.read.get(user_id, {}).get(channel) != latest:
            self.read.setdefault(user_id, {})[channel] = latest
            self.changed()

    def unread(self, user_id: str, conversation: Conversation) -> int:
        """Messages and thread replies from others that `user_id` has not seen here."""
        since = float(self.read.get(user_id, {}).get(conversation.id) or 0)
        return sum(
            1
            for m in _everything(conversation)
            if m.user != user_id and m.shown_to(user_id) and float(m.ts) > since
        )

    # --- views -------------------------------------------------------------------------------

    def new_view(self, view: Json) -> View:
        return View(self.new_id("V"), view, f"{self._next()}.{secrets.token_hex(4)}")

    def modal(self, user_id: str, view_id: str) -> View | None:
        return next((v for v in self.modals.get(user_id, []) if v.id == view_id), None)

    def owner_of(self, view_id: str) -> tuple[str, View] | None:
        """Whose open modal or Home this view is."""
        for user_id, stack in self.modals.items():
            for view in stack:
                if view.id == view_id:
                    return user_id, view
        for user_id, home in self.homes.items():
            if home.id == view_id:
                return user_id, home
        return None

    def push(self, user_id: str, view: Json) -> View:
        opened = self.new_view(view)
        self.modals[user_id].append(opened)
        self.changed()
        return opened

    def replace(self, view: View, new: Json) -> View:
        view.view, view.errors = new, {}
        view.hash = f"{self._next()}.{secrets.token_hex(4)}"
        self.changed()
        return view

    def close(self, user_id: str, view_id: str, *, clear: bool = False) -> None:
        """Close this modal (and those pushed over it), or with `clear` the whole stack."""
        stack = self.modals[user_id]
        at = next((i for i, v in enumerate(stack) if v.id == view_id), len(stack))
        del stack[0 if clear else at :]
        self.changed()

    def publish_home(self, user_id: str, view: Json) -> View:
        home = self.homes.get(user_id)
        self.homes[user_id] = self.replace(home, view) if home else self.new_view(view)
        self.changed()
        return self.homes[user_id]

    # --- kept between runs ----------------------------------------------------------------

    def saved(self) -> Json:
        """Everything a later run needs to show the same workspace, as JSON."""
        return {
            "last_id": self._last_id,
            "conversations": [asdict(c) for c in self.conversations.values()],
            "modals": {user: [asdict(v) for v in stack] for user, stack in self.modals.items()},
            "homes": {user: asdict(home) for user, home in self.homes.items()},
            "uploads": {
                file_id: {"name": upload.name, "content": base64.b64encode(upload.content).decode()}
                for file_id, upload in self.uploads.items()
            },
            "read": self.read,
        }

    def restore(self, saved: Json) -> None:
        self._last_id = int(saved["last_id"])
        for conversation in saved["conversations"]:
            messages = [_message(m) for m in conversation.pop("messages")]
            self.conversations[conversation["id"]] = Conversation(**conversation, messages=messages)
        for user, stack in saved["modals"].items():
            self.modals[user] = [View(**view) for view in stack]
        self.homes = {user: View(**home) for user, home in saved["homes"].items()}
        self.uploads = {
            file_id: Upload(upload["name"], base64.b64decode(upload["content"]))
            for file_id, upload in saved["uploads"].items()
        }
        self.read = {user: dict(marks) for user, marks in saved.get("read", {}).items()}

    # --- what one person sees ----------------------------------------------------------------

    def waiting(self, user_id: str) -> int:
        """All that `user_id` has not seen yet, in every conversation they are in."""
        return sum(
            self.unread(user_id, c) for c in self.conversations.values() if user_id in c.members
        )

    def seen_by(self, me: str) -> Json:
        """The page's `/api/state`: the workspace as `me` sees it."""
        mine = [c for c in self.conversations.values() if me in c.members]
        mine.sort(key=lambda c: (c.kind != "dm", c.kind, c.name))
        home = self.homes.get(me)
        return {
            "run": self.run,
            "version": self.version,
            "now": self.clock.now().isoformat(),
            "team": {"id": TEAM_ID, "name": TEAM_NAME},
            "bot": {"id": BOT.id, "name": BOT.name},
            "personas": [
                {
                    "id": p.id,
                    "name": p.name,
                    "title": p.title,
                    "tz": TIMEZONE,
                    "waiting": self.waiting(p.id),
                }
                for p in PEOPLE
            ],
            "me": me,
            "conversations": [
                {
                    "id": c.id,
                    "name": c.name,
                    "kind": c.kind,
                    "members": c.members,
                    "unread": self.unread(me, c),
                }
                for c in mine
            ],
            "messages": {c.id: [m.seen_by(me) for m in c.messages if m.shown_to(me)] for c in mine},
            "home": {"view_id": home.id, "view": home.view} if home else None,
            "modals": [
                {"view_id": v.id, "view": v.view, "errors": v.errors}
                for v in self.modals.get(me, [])
            ],
            "users": {p.id: {"name": p.name} for p in (*EVERYONE.values(), SLACKBOT)},
        }


def file_path(file_id: str, name: str) -> str:
    """A shared file's link, on the page's own server: the same after any restart."""
    return f"/files/{file_id}/{quote(name, safe='')}"


# Where an earlier run's links pointed: the stand-in's port of that run.
_OLD_FILE_LINK = re.compile(r"^http://127\.0\.0\.1:\d+(?=/files/)")


def _everything(conversation: Conversation) -> list[Message]:
    return [m for parent in conversation.messages for m in (parent, *parent.replies)]


def _message(saved: Json) -> Message:
    replies = [_message(reply) for reply in saved.pop("replies")]
    files = [{**f, "url": _OLD_FILE_LINK.sub("", f["url"])} for f in saved.pop("files", [])]
    return Message(**saved, replies=replies, files=files)
