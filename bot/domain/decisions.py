"""Decisions on a request's terms as the bot passes them on: the reference a decision's button
carries, the moves a side allows, and what a manager's decision, or HR's on an exception to its
rules, left. Made by bot/services/moves.py (for decide.py and reconsider.py) and
exceptions.py; drawn by the builders."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from bot.domain.errors import UnreadableReference, reference_number
from bot.domain.record import SecondmentRecord
from bot.domain.states import DecisionKind, Outcome, Side, SideState, Status


@dataclass(frozen=True, slots=True)
class DecisionRef:
    """What a decision button or modal carries: the request, the side, the terms version."""

    secondment_id: int
    side: Side
    terms_version: int

    def encode(self) -> str:
        """The reference as a button's value or a modal's metadata carries it."""
        return f"{self.secondment_id}:{self.side.value}:{self.terms_version}"

    @classmethod
    def decode(cls, value: str) -> DecisionRef:
        """The reference `encode` wrote; `UnreadableReference` for anything else."""
        parts = value.split(":")
        if len(parts) != 3 or parts[1] not in {s.value for s in Side}:
            raise UnreadableReference()
        return cls(reference_number(parts[0]), Side(parts[1]), reference_number(parts[2]))


class Move(Enum):
    """What a decider, or HR, does to a side: decide it, or lift its block."""

    DECIDE = "decide"  # a pending side, on a pending request or proposal
    RECONSIDER = "reconsider"  # the blocked side, by its own decider
    OVERRIDE = "override"  # the blocked side, by HR

    @property
    def starts_from(self) -> tuple[tuple[Status, ...], SideState]:
        """The request's statuses and the side's state the move can be made from."""
        if self is Move.DECIDE:
            return (Status.PENDING, Status.PROPOSAL_PENDING), SideState.PENDING
        return (Status.BLOCKED, Status.PROPOSAL_BLOCKED), SideState.BLOCKED

    @property
    def kind(self) -> DecisionKind:
        """The kind of decision the move records."""
        return {
            Move.DECIDE: DecisionKind.DECIDED,
            Move.RECONSIDER: DecisionKind.RECONSIDERED,
            Move.OVERRIDE: DecisionKind.HR_OVERRIDE,
        }[self]


@dataclass(frozen=True, slots=True)
class DecisionMade:
    """A decision on one side, and the record it left."""

    record: SecondmentRecord
    side: Side
    outcome: Outcome
    actor_id: str
    version: int  # the terms version decided
    kind: DecisionKind = DecisionKind.DECIDED
    on_behalf_of: str | None = None

    @property
    def completed_approval(self) -> bool:
        """This approval was the last the request waited for: it is approved."""
        return self.outcome is Outcome.APPROVED and self.record.status is Status.APPROVED

    @property
    def agreed_proposal(self) -> bool:
        """Both managers now agree an end-of-term proposal: its terms are in force."""
        return self.outcome is Outcome.APPROVED and self.record.status is Status.ACTIVE


@dataclass(frozen=True, slots=True)
class ExceptionDecided:
    """HR's decision on an exception, and the record it left."""

    record: SecondmentRecord
    granted: bool
    actor_id: str
    note: str | None
    # The managers had both approved: granting it agreed the secondment (or the extension).
    completed: bool
    # A refused extension: closed, the terms in force stand.
    extension_closed: bool = False
