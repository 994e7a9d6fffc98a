"""A check-in's answer as the employee gave it, for the thread, the employee and the managers.

Read by bot/services/checkins.py, drawn by bot/slack/builders/checkins.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.kinds import CheckInAnswer
from bot.domain.record import SecondmentRecord

# The longest note an answer carries (the form's limit, and the service's check).
CHECK_IN_NOTE_MAX = 2000


@dataclass(frozen=True, slots=True)
class CheckInAnswered:
    """A check-in answered: how it is going, the note, and whether the home manager sees it."""

    record: SecondmentRecord
    sequence: int
    answer: CheckInAnswer
    note: str | None
    shared_with_home: bool
    answered_at: datetime
