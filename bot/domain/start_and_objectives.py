"""The objectives agreed for an approved secondment, as recorded.

Read by bot/services/start_and_objectives.py, drawn by bot/slack/builders/start_and_objectives.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.record import SecondmentRecord


@dataclass(frozen=True, slots=True)
class ObjectivesRecorded:
    """Objectives recorded: by whom, and `is_new` False when a retried form set them already."""

    record: SecondmentRecord
    actor_id: str
    is_new: bool
