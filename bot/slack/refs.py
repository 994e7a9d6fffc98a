"""The reference a request-level button or modal carries: never state, only which request and
which version of its terms the person was looking at. (Side-level ones carry a DecisionRef.)"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.followups import CheckInAnswer


@dataclass(frozen=True, slots=True)
class RequestRef:
    secondment_id: int
    terms_version: int

    def encode(self) -> str:
        return f"{self.secondment_id}:{self.terms_version}"

    @classmethod
    def decode(cls, value: str) -> RequestRef:
        secondment_id, version = value.split(":")
        return cls(int(secondment_id), int(version))


@dataclass(frozen=True, slots=True)
class CheckInRef:
    """One check-in of one secondment, and (in the modal) the answer the employee chose."""

    secondment_id: int
    sequence: int
    answer: CheckInAnswer | None = None

    def encode(self) -> str:
        answer = f":{self.answer.value}" if self.answer else ""
        return f"{self.secondment_id}:{self.sequence}{answer}"

    @classmethod
    def decode(cls, value: str) -> CheckInRef:
        secondment_id, sequence, *answer = value.split(":")
        return cls(int(secondment_id), int(sequence), CheckInAnswer(answer[0]) if answer else None)


def secondment_of(value: str) -> int:
    """The request a button's value names: every reference encodes its id first."""
    return int(value.split(":", 1)[0])
