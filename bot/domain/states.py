"""Where a secondment and each manager's side of it stand, and who decides which side."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where a secondment stands, from the request to the return."""

    PENDING = "pending"
    APPROVED = "approved"
    BLOCKED = "blocked"
    WITHDRAWN = "withdrawn"
    ACTIVE = "active"  # the start date has come: the secondment is under way
    # Under way, with an end-of-term proposal (an extension or a permanent move) that both
    # managers decide like a request: awaiting their decisions, or blocked by one of them.
    PROPOSAL_PENDING = "proposal_pending"
    PROPOSAL_BLOCKED = "proposal_blocked"
    COMPLETED = "completed"  # the return debrief is recorded, with the outcome

    @property
    def label(self) -> str:
        """The status as people read it."""
        return {
            Status.PENDING: "Awaiting decisions",
            Status.APPROVED: "Approved",
            Status.BLOCKED: "Blocked",
            Status.WITHDRAWN: "Withdrawn",
            Status.ACTIVE: "Active",
            Status.PROPOSAL_PENDING: "Active, proposal awaiting decisions",
            Status.PROPOSAL_BLOCKED: "Active, proposal blocked",
            Status.COMPLETED: "Completed",
        }[self]

    @property
    def is_open(self) -> bool:
        """Still a live request: its terms can change, and the employee can withdraw before the
        start."""
        return self in (Status.PENDING, Status.BLOCKED, Status.APPROVED)

    @property
    def is_underway(self) -> bool:
        """Started and not yet completed: check-ins go out and the end date stands."""
        return self in (Status.ACTIVE, Status.PROPOSAL_PENDING, Status.PROPOSAL_BLOCKED)

    @property
    def awaits_decisions(self) -> bool:
        """Managers have something to decide: a request, or an end-of-term proposal."""
        return self in (Status.PENDING, Status.PROPOSAL_PENDING)

    @property
    def is_blocked(self) -> bool:
        """A side has blocked the request or the end-of-term proposal."""
        return self in (Status.BLOCKED, Status.PROPOSAL_BLOCKED)


# Approved, whether or not it has started: objectives and the check-in interval can be set.
APPROVED_OR_UNDERWAY = tuple(s for s in Status if s is Status.APPROVED or s.is_underway)


class Side(StrEnum):
    """The two decisions a request needs: the home manager releases, the host manager confirms."""

    HOME = "home"
    HOST = "host"

    @property
    def other(self) -> Side:
        """The other manager's side."""
        return Side.HOST if self is Side.HOME else Side.HOME

    @property
    def role(self) -> str:
        """Who decides the side, in words."""
        return "home manager" if self is Side.HOME else "host manager"

    @property
    def duty(self) -> str:
        """What deciding the side means, in words."""
        if self is Side.HOME:
            return "releases the employee and agrees the coverage plan"
        return "confirms the written terms"


class SideState(StrEnum):
    """Where one manager's decision stands."""

    PENDING = "pending"
    APPROVED = "approved"
    BLOCKED = "blocked"


class Outcome(StrEnum):
    """What a manager can decide on their side."""

    APPROVED = "approved"
    BLOCKED = "blocked"


class DecisionKind(StrEnum):
    """How a decision came about: first time, a blocking manager changing their mind, a manager
    approving terms they changed with conditions, or HR overriding a block."""

    DECIDED = "decided"
    RECONSIDERED = "reconsidered"
    WITH_CONDITIONS = "with_conditions"
    HR_OVERRIDE = "hr_override"
    PROPOSED = "proposed"  # a manager proposing an extension or a permanent move agrees to it


class ProposalKind(StrEnum):
    """What the parties may propose for the end of the term, instead of the planned return."""

    EXTEND = "extend"
    PERMANENT = "permanent"

    @property
    def label(self) -> str:
        """The proposal as a sentence names it."""
        return {
            ProposalKind.EXTEND: "an extension",
            ProposalKind.PERMANENT: "a permanent move",
        }[self]


class EndOutcome(StrEnum):
    """How a secondment ended."""

    RETURNED = "returned"
    PERMANENT = "permanent"
    ENDED_EARLY = "ended_early"

    @property
    def label(self) -> str:
        """The outcome as people read it."""
        return {
            EndOutcome.RETURNED: "Returned to the home role",
            EndOutcome.PERMANENT: "Moved permanently",
            EndOutcome.ENDED_EARLY: "Ended early",
        }[self]
