"""What Slack holds, as both faces of the stand-in keep it: the people (as users.info shows them),
the conversations (the bot's DM with each person, group DMs and channels) with their messages
(messages.py), each person's open modals and App Home (view_stacks.py), the trigger ids and
response URLs handed out with each request, uploaded files, and how far each person has read each
conversation.

The Web API (api*.py) changes it, and in the sandbox so do the people's actions
(bot/sandbox/actions.py). Every change counts up `version` and calls `on_change`, which the sandbox
uses to save the workspace as it changes (saving.py); seen.py is the workspace as one person sees
it on the sandbox's page."""

from __future__ import annotations

import asyncio
import secrets
from bisect import insort
from collections.abc import Callable, Iterable
from enum import Enum

from bot.clock import Clock
from bot.slack_standin.identity import Identity
from bot.slack_standin.messages import Conversation, Message, in_order
from bot.slack_standin.view_stacks import ViewStacks
from bot.slack_standin.views import Reply, Upload
from bot.slack_standin.wire import Json


class Knows(Enum):
    """How much of what the bot names this Slack has seen made."""

    # The sandbox: everything the bot can name was made through it. Anything else is refused
    # with Slack's error (channel_not_found, message_not_found, expired_trigger_id...).
    EVERYTHING = "everything"
    # The tests: they write records straight into the database and build their own requests,
    # so the bot names conversations, people, views, triggers and response URLs this Slack
    # never saw. Those are taken as they are; a message missing from a conversation it holds
    # is still not found.
    WHAT_IT_WAS_SENT = "what it was sent"
    # As WHAT_IT_WAS_SENT, and the messages were posted through another stand-in too: an update
    # of one it does not hold is taken, as Slack (which holds them all) would take it.
    PART = "part of its messages"


class Workspace(ViewStacks):
    """What Slack holds, changed as Slack would change it."""

    def __init__(
        self,
        clock: Clock,
        app: Identity,
        *,
        people: Iterable[Json] = (),
        welcomed: Iterable[str] = (),
        knows: Knows = Knows.EVERYTHING,
    ) -> None:
        self.clock = clock
        self.app = app
        self.knows = knows
        self.people: dict[str, Json] = {person["id"]: person for person in people}
        # Whose DM with the bot is there from the start (and after a reset).
        self.welcomed = tuple(welcomed)
        self.on_change: Callable[[], None] = lambda: None
        # A message's link (the sandbox points it at its page rather than at Slack).
        self.permalink: Callable[[str, str], str] = app.permalink
        self.version = 0
        # This run's name: a version number alone starts again at 0 after a restart.
        self.run = secrets.token_hex(4)
        self.last_id = 0  # the last id or ts number handed out: kept between runs
        self._changed = asyncio.Event()
        self._start()

    def _start(self) -> None:
        """The workspace as a first run finds it: the welcomed people's DMs, nothing else."""
        self.conversations: dict[str, Conversation] = {}
        self.modals = {}
        self.homes = {}
        self.triggers = {}
        self.replies: dict[str, Reply] = {}  # response URL name -> where the reply goes
        self.pending_uploads: dict[str, str] = {}  # file id -> its name, until its bytes come
        self.uploads: dict[str, Upload] = {}
        self.read: dict[str, dict[str, str]] = {}  # person -> conversation -> last ts read
        for user_id in self.welcomed:
            self.dm(user_id)

    def reset(self) -> None:
        """Back to the starting workspace. Ids go on counting, so nothing a page still shows
        can be mistaken for something new."""
        self._start()
        self.changed()

    @property
    def takes_the_unseen(self) -> bool:
        """Whether what the bot names and this Slack never saw is taken as it is (`Knows`)."""
        return self.knows is not Knows.EVERYTHING

    # --- ids and change ----------------------------------------------------------------------

    def _next(self) -> int:
        self.last_id += 1
        return self.last_id

    def new_id(self, prefix: str) -> str:
        """A new id with Slack's prefix for its kind (V for a view, F for a file...)."""
        return f"{prefix}{self._next():08d}"

    def next_ts(self) -> str:
        """A message ts as Slack makes them: the time in seconds, unique after the dot."""
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

    # --- people ------------------------------------------------------------------------------

    def add_person(self, person: Json) -> None:
        """Someone joins Slack: `person` as users.info shows them."""
        self.people[person["id"]] = person
        self.changed()

    def deactivate(self, user_id: str) -> None:
        """Someone leaves: an admin deactivates their account, and Slack tells no app."""
        self.people[user_id]["deleted"] = True
        self.changed()

    def elsewhere(self, user_id: str, team: str | None) -> bool:
        """Someone Slack knows in another workspace than the caller's: out of its reach."""
        return user_id in self.people and self.people[user_id]["team_id"] != team

    def name_of(self, user_id: str) -> str:
        """How a person's name shows in a conversation's name."""
        person = self.people.get(user_id, {})
        return str(person.get("real_name") or person.get("name") or user_id)

    # --- conversations and messages ----------------------------------------------------------

    def dm(self, user_id: str, team: str | None = None) -> Conversation:
        """The bot's direct-message conversation with `user_id`."""
        channel = "D" + user_id[1:]
        if channel not in self.conversations:
            self.conversations[channel] = Conversation(
                channel,
                self.name_of(self.app.bot_user),
                "dm",
                [user_id, self.app.bot_user],
                team_id=team or "",
            )
        return self.conversations[channel]

    def group(self, user_ids: list[str], team: str | None = None) -> Conversation:
        """The group DM of these people and the bot (the same one however they are ordered)."""
        people = sorted(set(user_ids) - {self.app.bot_user})
        members = {*people, self.app.bot_user}
        for conversation in self.conversations.values():
            if conversation.kind == "group" and set(conversation.members) == members:
                return conversation
        channel = "G" + "".join(person[-3:] for person in people).upper()
        if channel not in self.conversations:
            name = ", ".join(self.name_of(person) for person in people)
            self.conversations[channel] = Conversation(
                channel, name, "group", [*people, self.app.bot_user], team_id=team or ""
            )
        return self.conversations[channel]

    def channel(self, channel: str, members: list[str], team: str | None = None) -> Conversation:
        """A channel with these members (made if it is new, its members replaced if not)."""
        conversation = self.conversations.get(channel)
        if conversation is None:
            conversation = Conversation(channel, channel, "channel", [], team_id=team or "")
            self.conversations[channel] = conversation
        conversation.members = list(members)
        self.changed()
        return conversation

    def unseen(self, channel: str, team: str | None) -> Conversation:
        """A conversation the bot names that this Slack never saw made (the tests write threads
        straight into the database): kept from now on, its members unknown."""
        kind = {"D": "dm", "G": "group"}.get(channel[:1], "channel")
        self.conversations[channel] = Conversation(channel, channel, kind, [], team_id=team or "")
        return self.conversations[channel]

    def in_workspace(self, conversation: Conversation, team: str | None) -> bool:
        """Whether the conversation is in the caller's workspace."""
        return (conversation.team_id or self.app.team_id) == team

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
        ts: str | None = None,
    ) -> Message:
        """A new message in `channel`, or a reply in the thread of `thread_ts`; at `ts` (a new
        one if not given), in the order of ts as Slack keeps them."""
        conversation = self.conversations[channel]
        message = Message(
            ts or self.next_ts(),
            user,
            text,
            blocks,
            thread_ts=thread_ts,
            visible_to=visible_to,
            files=files or [],
            metadata=metadata,
        )
        parent = self.find(channel, thread_ts) if thread_ts else None
        if parent is not None and parent.thread_ts:  # a reply to a reply: the same thread
            parent = self.find(channel, parent.thread_ts) or parent
        if parent is not None:
            message.thread_ts = parent.ts
            insort(parent.replies, message, key=in_order)
        else:
            insort(conversation.messages, message, key=in_order)
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
        parent = self.find(channel, message.thread_ts) if message.is_reply() else None
        (parent.replies if parent else conversation.messages).remove(message)
        self.changed()

    def clear(self, channel: str) -> None:
        """Delete everything in a conversation (as a retention setting would), keeping it."""
        self.conversations[channel].messages.clear()
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
