"""The reference a request-level button or modal carries: never state, only which request and
which version of its terms the person was looking at. (Side-level ones carry a DecisionRef.)"""

from __future__ import annotations

from dataclasses import dataclass


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
