"""The sandbox's Slack workspace as data: conversations (the bot's DM with each person, group DMs
and channels) with their messages (messages.py); each person's stack of open modals and their App
Home (views.py); the trigger ids and response URLs handed out with each request; uploaded files;
how far each person has read each conversation. The Web API (workspace_api.py) and the people's
actions (bot/sandbox/actions.py) change it; seen.py is the workspace as one person sees it. Every
change counts up `version` and calls `on_change`, which the sandbox uses to save the workspace
(`saved`) as it changes."""

from __future__ import annotations

import asyncio
import base64
import re
import secrets
from collections.abc import Callable
from dataclasses import asdict

from bot.clock import Clock
from bot.slack_standin.messages import Conversation, Message
from bot.slack_standin.personas import BOT, EVERYONE, PEOPLE
from bot.slack_standin.views import Reply, Upload, View
from bot.slack_standin.wire import Json


class Workspace:
    """The sandbox's workspace, changed as Slack would change it and saved as it changes."""

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
        """A new id with Slack's prefix for its kind (V for a view, F for a file...)."""
        return f"{prefix}{self._next():08d}"

    def next_ts(self) -> str:
        """A message ts as Slack makes them: the (sandbox) time in seconds, unique after the dot."""
        return f"{int(self.clock.now().timestamp())}.{self._next() % 1_000_000:06d}"

    def changed(self) -> None:
        """Note a change: count it, save it, and wake whoever waits for one."""
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
        """A new message in `channel`, or a reply in the thread of `thread_ts`."""
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
        """The message or reply with this ts in `channel`, if there is one."""
        conversation = self.conversations.get(channel)
        for message in conversation.messages if conversation else []:
            if message.ts == ts:
                return message
            for reply in message.replies:
                if reply.ts == ts:
                    return reply
        return None

    def edit(self, message: Message, text: str, blocks: list[Json] | None) -> None:
        """Edit a message in place."""
        message.text, message.blocks, message.edited = text, blocks, True
        self.changed()

    def delete(self, channel: str, message: Message) -> None:
        """Delete a message or a reply."""
        conversation = self.conversations[channel]
        parent = self.find(channel, message.thread_ts) if message.thread_ts else None
        (parent.replies if parent else conversation.messages).remove(message)
        self.changed()

    def mark_read(self, user_id: str, channel: str) -> None:
        """`user_id` has seen everything in this conversation so far."""
        conversation = self.conversations.get(channel)
        if conversation is None or user_id not in conversation.members:
            return
        latest = max((m.ts for m in conversation.everything()), key=float, default="")
        if latest and self.read.get(user_id, {}).get(channel) != latest:
            self.read.setdefault(user_id, {})[channel] = latest
            self.changed()

    # --- views -------------------------------------------------------------------------------

    def new_view(self, view: Json) -> View:
        """A view as Slack keeps it: with a new id and hash."""
        return View(self.new_id("V"), view, f"{self._next()}.{secrets.token_hex(4)}")

    def modal(self, user_id: str, view_id: str) -> View | None:
        """This person's open modal with this id, if there is one."""
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
        """Open a view over this person's open modals."""
        opened = self.new_view(view)
        self.modals[user_id].append(opened)
        self.changed()
        return opened

    def replace(self, view: View, new: Json) -> View:
        """Replace a view in place: a new hash, and no field errors."""
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
        """Publish this person's App Home."""
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
        """Take up the workspace an earlier run `saved`."""
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


# Where an earlier run's links pointed: the stand-in's port of that run.
_OLD_FILE_LINK = re.compile(r"^http://127\.0\.0\.1:\d+(?=/files/)")


def _message(saved: Json) -> Message:
    """A saved message, with its links made relative to the page."""
    replies = [_message(reply) for reply in saved.pop("replies")]
    files = [{**f, "url": _OLD_FILE_LINK.sub("", f["url"])} for f in saved.pop("files", [])]
    return Message(**saved, replies=replies, files=files)
