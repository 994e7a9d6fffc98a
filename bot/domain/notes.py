"""A note added to the approval thread (a manager's response to a block, or HR's note).

Read by bot/services/notes.py, drawn by bot/slack/builders/ways_forward.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.kinds import NoteKind
from bot.domain.record import SecondmentRecord


@dataclass(frozen=True, slots=True)
class NoteAdded:
    """A note in the thread: its kind, author and words; `is_new` False for a retried form."""

    record: SecondmentRecord
    kind: NoteKind
    author_id: str
    text: str
    is_new: bool
