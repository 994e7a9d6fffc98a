"""A workspace's conversations and their messages, as the sandbox's stand-in keeps them: threads
(replies under their parent), edits, ephemeral replies seen by one person, shared files and the
bot's metadata; as Slack hands a message back, and as one person sees it on the page."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.slack_standin.personas import BOT
from bot.slack_standin.wire import Json


@dataclass
class Message:
    """A message in a conversation, with its replies if it starts a thread."""

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
    """A DM with the bot, a group DM or a channel: who is in it, and its messages."""

    id: str
    name: str
    kind: str  # "dm" | "group" | "channel"
    members: list[str]
    messages: list[Message] = field(default_factory=list)

    def everything(self) -> list[Message]:
        """Its messages and their replies, each parent before its replies."""
        return [m for parent in self.messages for m in (parent, *parent.replies)]
