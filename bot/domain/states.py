"""Where a secondment and each manager's side of it stand, and who decides which side."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    BLOCKED = "blocked"

    @property
    def label(self) -> str:
        return {
            Status.PENDING: "Awaiting decisions",
            Status.APPROVED: "Approved",
            Status.BLOCKED: "Blocked",
        }[self]


class Side(StrEnum):
    """The two decisions a request needs: the home manager releases, the host manager confirms."""

    HOME = "home"
    HOST = "host"

    @property
    def other(self) -> Side:
        return Side.HOST if self is Side.HOME else Side.HOME

    @property
    def role(self) -> str:
        return "home manager" if self is Side.HOME else "host manager"

    @property
    def duty(self) -> str:
        if self is Side.HOME:
            return "releases the employee and agrees the coverage plan"
        return "confirms the written terms"


class SideState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    BLOCKED = "blocked"


class Outcome(StrEnum):
    """What a manager can decide on their side."""

    APPROVED = "approved"
    BLOCKED = "blocked"
