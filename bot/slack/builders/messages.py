"""A built message: the blocks and the plain-text fallback Slack shows in notifications."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import Block, SectionBlock

from bot.slack.builders.text import md


@dataclass(frozen=True, slots=True)
class Message:
    """What the bot says in one message: its blocks, and the words of its notification."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    def as_kwargs(self) -> dict[str, Any]:
        """Arguments for chat.postMessage, chat.update and response_url replies."""
        return {"text": self.text, "blocks": [b.to_dict() for b in self.blocks]}


def text_message(text: str) -> Message:
    """A message of one mrkdwn section, whose words are also its notification's."""
    return Message(text=text, blocks=[SectionBlock(text=md(text))])
