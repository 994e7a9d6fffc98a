"""A workspace's conversations and their messages, as the stand-in keeps them: threads (replies
under their parent), edits, ephemeral messages seen by one person, shared files and the bot's
metadata; as Slack hands a message back, and as one person sees it on the sandbox's page."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.slack_standin.identity import Identity
from bot.slack_standin.wire import Json


@dataclass
class Message:
    """A message in a conversation, with its replies if it starts a thread."""

    ts: str
    user: str
    text: str
    blocks: list[Json] | None = None
    # The parent's ts, for a reply in a thread. A reply whose parent the stand-in never saw (a
    # thread the tests wrote straight into the database) is kept among the conversation's
    # messages with it; history leaves it out, as Slack leaves replies out.
    thread_ts: str | None = None
    replies: list[Message] = field(default_factory=list)
    visible_to: str | None = None  # an ephemeral message: only this person sees it
    edited: bool = False
    files: list[dict[str, str]] = field(default_factory=list)
    metadata: Json | None = None  # the bot's message metadata, as Slack keeps it

    def shown_to(self, me: str) -> bool:
        """Whether `me` sees it (an ephemeral message shows to one person only)."""
        return self.visible_to in (None, me)

    def seen_by(self, me: str) -> Json:
        """The message as the page shows it to `me`, with the replies `me` sees."""
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

    def is_reply(self) -> bool:
        """Whether it is a reply in a thread rather than a message of the conversation's own."""
        return self.thread_ts not in (None, self.ts)

    def as_slack(self, app: Identity) -> Json:
        """The message as Slack hands it back: in history, or in a block_actions payload."""
        message: Json = {"type": "message", "ts": self.ts, "user": self.user, "text": self.text}
        if self.user == app.bot_user:
            message.update(bot_id=app.bot_id, app_id=app.app_id)
        if self.blocks is not None:
            message["blocks"] = self.blocks
        if self.thread_ts:
            message["thread_ts"] = self.thread_ts
        if self.metadata is not None:
            message["metadata"] = self.metadata
        return message


@dataclass
class Conversation:
    """A DM with the bot, a group DM or a channel, in one workspace: who is in it, and its
    messages."""

    id: str
    name: str
    kind: str  # "dm" | "group" | "channel"
    members: list[str]
    messages: list[Message] = field(default_factory=list)
    team_id: str = ""  # its workspace ("": the app's first, as in a sandbox saved without it)
    # False for a conversation the bot named before this Slack saw it made: who is in it is
    # not known, and conversations.members says so.
    members_known: bool = True

    def everything(self) -> list[Message]:
        """Its messages and their replies, each parent before its replies."""
        return [m for parent in self.messages for m in (parent, *parent.replies)]

    def in_history(self) -> list[Message]:
        """What conversations.history shows, oldest first: no replies, nothing ephemeral."""
        return [m for m in self.messages if not m.is_reply() and m.visible_to is None]


def in_order(message: Message) -> tuple[int, ...]:
    """Where a message goes among others: by its ts, as Slack orders them."""
    return tuple(int(part) for part in message.ts.split("."))
