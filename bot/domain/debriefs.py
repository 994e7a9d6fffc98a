"""The return debrief: its answers as the form gives them, and as recorded on completion.

Read by bot/services/debriefs.py, drawn by bot/slack/builders/debrief.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.record import SecondmentRecord


@dataclass(frozen=True, slots=True)
class DebriefForm:
    """The debrief's answers: what was achieved, the skills, what to bring back and what next."""

    achieved: str | None = None
    skills_gained: str | None = None
    bring_back: str | None = None
    home_role_changes: str | None = None
    next_step: str | None = None


@dataclass(frozen=True, slots=True)
class DebriefRecorded:
    """A debrief recorded: the secondment it completed, who recorded it, and its answers."""

    record: SecondmentRecord
    actor_id: str
    debrief: DebriefForm
