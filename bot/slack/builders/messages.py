"""A built message: the blocks and the plain-text fallback Slack shows in notifications."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import Block


@dataclass(frozen=True, slots=True)
class Message:
    """A message ready to send: its blocks and the text Slack shows in notifications."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    def as_kwargs(self) -> dict[str, Any]:
        """Arguments for chat.postMessage, chat.update and response_url replies."""
        return {"text": self.text, "blocks": [b.to_dict() for b in self.blocks]}
