"""The reference a request-level button or modal carries: never state, only which request and
which version of its terms the person was looking at. (Side-level ones carry a DecisionRef.)"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.errors import UnreadableReference, reference_number
from bot.domain.kinds import CheckInAnswer


@dataclass(frozen=True, slots=True)
class RequestRef:
    """Which request, and which version of its terms, a button or a modal is about."""

    secondment_id: int
    terms_version: int

    def encode(self) -> str:
        """The reference as a button value or a modal's metadata carries it."""
        return f"{self.secondment_id}:{self.terms_version}"

    @classmethod
    def decode(cls, value: str) -> RequestRef:
        """The reference `encode` wrote; `UnreadableReference` for anything else."""
        parts = value.split(":")
        if len(parts) != 2:
            raise UnreadableReference()
        return cls(reference_number(parts[0]), reference_number(parts[1]))


@dataclass(frozen=True, slots=True)
class CheckInRef:
    """One check-in of one secondment, and (in the modal) the answer the employee chose."""

    secondment_id: int
    sequence: int
    answer: CheckInAnswer | None = None

    def encode(self) -> str:
        """The reference as a button value or a modal's metadata carries it."""
        answer = f":{self.answer.value}" if self.answer else ""
        return f"{self.secondment_id}:{self.sequence}{answer}"

    @classmethod
    def decode(cls, value: str) -> CheckInRef:
        """The reference `encode` wrote; `UnreadableReference` for anything else."""
        parts = value.split(":")
        answers = {a.value for a in CheckInAnswer}
        if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] not in answers):
            raise UnreadableReference()
        answer = CheckInAnswer(parts[2]) if len(parts) == 3 else None
        return cls(reference_number(parts[0]), reference_number(parts[1]), answer)


def secondment_of(value: str) -> int:
    """The request a button's value names: every reference encodes its id first."""
    return reference_number(value.split(":", 1)[0])
