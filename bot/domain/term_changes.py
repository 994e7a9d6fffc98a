"""New terms as the bot passes them on: what changed from the terms before, who changed them,
and the side that approved them with its conditions. Made by bot/services/changes.py, drawn by
bot/slack/builders/ways_forward.py."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.record import SecondmentRecord
from bot.domain.states import Side
from bot.domain.terms import TermChange, Terms


@dataclass(frozen=True, slots=True)
class TermsChangedEvent:
    """New terms for a new round of decisions, and the record they left."""

    record: SecondmentRecord
    previous: Terms
    changes: list[TermChange]
    actor_id: str
    note: str | None
    approved_side: Side | None  # set when a manager approved with these conditions
