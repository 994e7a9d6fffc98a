"""The conversations a stand-in's workspace keeps (the bot's DM with each person, group DMs and
channels) and the messages in them: posted in the order of their ts, found by ts, edited,
deleted, and read up to a point by each person."""

from __future__ import annotations

from abc import ABC, abstractmethod
from bisect import insort

from bot.slack_standin.identity import Identity
from bot.slack_standin.messages import Conversation, Message, in_order
from bot.slack_standin.wire import Json


def dm_id(user_id: str) -> str:
    """The id of the bot's DM with a person, as Slack's ids for a DM begin with D."""
    return "D" + user_id[1:]


def is_person(channel: str) -> bool:
    """Whether a call names a person where it names a conversation (a user id)."""
    return channel.startswith(("U", "W"))


def is_conversation(channel: str) -> bool:
    """Whether an id is shaped as a conversation's: a channel, a DM or a group DM."""
    return channel.startswith(("C", "D", "G"))


class Conversations(ABC):
    """The conversations part of the workspace (workspace.py), with its changes; the workspace
    hands out the ts and notes the changes."""

    app: Identity
    conversations: dict[str, Conversation]
    read: dict[str, dict[str, str]]  # person -> conversation -> last ts read
    _by_ts: dict[str, dict[str, Message]]  # conversation -> ts -> its message or reply

    @abstractmethod
    def next_ts(self) -> str:
        """A new message ts."""

    @abstractmethod
    def changed(self) -> None:
        """Note a change."""

    @abstractmethod
    def name_of(self, user_id: str) -> str:
        """How a person's name shows in a conversation's name."""

    def dm(self, user_id: str, team: str | None = None) -> Conversation:
        """The bot's direct-message conversation with `user_id`."""
        channel, bot = dm_id(user_id), self.app.bot_user
        conversation = self.conversations.get(channel)
        if conversation is None:
            named = self.name_of(bot)
            return self._keep(
                Conversation(channel, named, "dm", [user_id, bot], team_id=team or "")
            )
        if not conversation.members_known:  # named by the bot before it opened
            conversation.members, conversation.members_known = [user_id, bot], True
        return conversation

    def group(self, user_ids: list[str], team: str | None = None) -> Conversation:
        """The group DM of these people and the bot: the one they already have, however they
        are ordered, or a new one."""
        people = sorted(set(user_ids) - {self.app.bot_user})
        members = [*people, self.app.bot_user]
        for conversation in self.conversations.values():
            if conversation.kind == "group" and set(conversation.members) == set(members):
                return conversation
        channel = "G" + "".join(person[-3:] for person in people).upper()
        taken = self.conversations.get(channel)
        if taken is not None and not taken.members_known:  # named by the bot before it opened
            taken.members, taken.members_known = members, True
            return taken
        while channel in self.conversations:  # three letters of each id alike: another group
            channel += "X"
        name = ", ".join(self.name_of(person) for person in people)
        return self._keep(Conversation(channel, name, "group", members, team_id=team or ""))

    def channel(self, channel: str, members: list[str], team: str | None = None) -> Conversation:
        """A channel of workspace `team` with these members (made if it is new)."""
        conversation = self.conversations.get(channel) or self._keep(
            Conversation(channel, channel, "channel", [])
        )
        conversation.members, conversation.members_known = list(members), True
        conversation.team_id = team or ""
        self.changed()
        return conversation

    def unseen(self, channel: str, team: str | None) -> Conversation:
        """A conversation the bot names that this Slack never saw made (the tests write threads
        straight into the database): kept from now on, its members unknown."""
        kind = {"D": "dm", "G": "group"}.get(channel[:1], "channel")
        conversation = Conversation(channel, channel, kind, [], team_id=team or "")
        conversation.members_known = False
        return self._keep(conversation)

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
        """A new message in `channel`, or a reply in the thread of `thread_ts` (a reply to a
        reply goes in the same thread); at `ts` (a new one if not given), in the order of ts
        as Slack keeps them."""
        parent = self.find(channel, thread_ts) if thread_ts else None
        if parent is not None and parent.is_reply():
            thread_ts = parent.thread_ts
            parent = self.find(channel, thread_ts)
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
        # A reply whose parent was never seen stays among the conversation's own messages.
        among = parent.replies if parent else self.conversations[channel].messages
        insort(among, message, key=in_order)
        self._by_ts[channel][message.ts] = message
        self.changed()
        return message

    def find(self, channel: str, ts: str | None) -> Message | None:
        """The message or reply with this ts in `channel`, if there is one."""
        return self._by_ts.get(channel, {}).get(ts or "")

    def edit(self, message: Message, text: str, blocks: list[Json] | None) -> None:
        """Edit a message in place."""
        message.text, message.blocks, message.edited = text, blocks, True
        self.changed()

    def delete(self, channel: str, message: Message) -> None:
        """Delete a message or a reply (a thread's parent takes its replies with it)."""
        conversation = self.conversations[channel]
        parent = self.find(channel, message.thread_ts) if message.is_reply() else None
        (parent.replies if parent else conversation.messages).remove(message)
        for gone in (message, *message.replies):
            del self._by_ts[channel][gone.ts]
        self.changed()

    def clear(self, channel: str) -> None:
        """Delete everything in a conversation (as a retention setting would), keeping it."""
        self.conversations[channel].messages.clear()
        self._by_ts[channel].clear()
        self.changed()

    def mark_read(self, user_id: str, channel: str) -> None:
        """`user_id` has seen everything in this conversation so far."""
        conversation = self.conversations.get(channel)
        if conversation is None or user_id not in conversation.members:
            return
        latest = max(conversation.everything(), key=in_order, default=None)
        if latest is not None and self.read.get(user_id, {}).get(channel) != latest.ts:
            self.read.setdefault(user_id, {})[channel] = latest.ts
            self.changed()

    def index(self) -> None:
        """Find every message by its ts again (after the conversations were taken up whole)."""
        self._by_ts = {
            channel: {m.ts: m for m in conversation.everything()}
            for channel, conversation in self.conversations.items()
        }

    def _keep(self, conversation: Conversation) -> Conversation:
        """A new conversation, kept (and shown on the sandbox's page) from now on."""
        self.conversations[conversation.id] = conversation
        self._by_ts[conversation.id] = {}
        self.changed()
        return conversation
