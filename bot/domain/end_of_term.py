"""The end-of-term decision as the bot passes it on (docs/DOMAIN.md friction 6): an extension or
a permanent move proposed, a return confirmed, or an early end, each with the record it left,
and how long a proposal's note may be. Made by bot/services/proposals.py, end_of_term.py and
early_end.py; drawn by bot/slack/builders/end_of_term.py and debrief.py."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.record import SecondmentRecord
from bot.domain.states import ProposalKind
from bot.domain.terms import Terms

NOTE_MIN, NOTE_MAX = 10, 1000


@dataclass(frozen=True, slots=True)
class Proposed:
    """An extension or a permanent move proposed, with the terms in force before it."""

    record: SecondmentRecord
    previous: Terms
    actor_id: str


@dataclass(frozen=True, slots=True)
class ReturnConfirmedEvent:
    """The return as planned, confirmed by one of the three."""

    record: SecondmentRecord
    actor_id: str
    closed: ProposalKind | None  # a proposal this confirmation closed


@dataclass(frozen=True, slots=True)
class EndedEarly:
    """A secondment ended early, with its reason and the terms before the new last day."""

    record: SecondmentRecord
    previous: Terms
    actor_id: str
    reason: str
