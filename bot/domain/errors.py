"""Why the bot refuses an action. Each refusal carries facts, not wording: the Slack layer turns
them into a message, so the domain never formats Slack text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.kinds import EscalationKind
from bot.domain.states import EndOutcome, ProposalKind, Side, SideState, Status


class Refusal(Exception):
    """An action the bot will not take; the person who asked is told why and nothing changes."""


@dataclass
class NotFound(Refusal):
    """No such secondment, or not one the person may see."""

    secondment_id: int


@dataclass
class NotYourSide(Refusal):
    """The person does not decide this side: its manager, delegate or HR in their place does."""

    side: Side
    manager_id: str
    delegate_id: str | None = None
    hr_decides: bool = False  # HR decides it too: its decider's account was deactivated


@dataclass
class PartOfTheRequest(Refusal):
    """HR deciding a side in a deactivated decider's place may not be the employee or the other
    side's decider: someone else in HR decides it."""

    side: Side


@dataclass
class OnlyThesePeople(Refusal):
    """Only the listed people may do `action` on this request."""

    action: str
    allowed: tuple[str, ...]


@dataclass
class OnlyHr(Refusal):
    """Only HR may do `action`."""

    action: str


@dataclass
class OverrideNotAllowed(Refusal):
    """HR may not override a block: the policy setting is off."""


@dataclass
class AlreadyDecided(Refusal):
    """The side was decided already, by whom and when."""

    side: Side
    state: SideState
    decided_by: str
    decided_at: datetime


@dataclass
class ExceptionAlreadyDecided(Refusal):
    """HR has decided the exception to its rules already."""

    granted: bool
    decided_by: str
    decided_at: datetime


@dataclass
class NoLongerPending(Refusal):
    """The request is past the point where this action applies: it now stands at `status`."""

    status: Status


@dataclass
class NotBlocked(Refusal):
    """The action answers a block, and there is none (or not on this side)."""

    side: Side | None = None


@dataclass
class TermsChanged(Refusal):
    """The terms changed after the person saw them: they decide the current version instead."""

    version_seen: int
    current_version: int


@dataclass
class AlreadyStarted(Refusal):
    """The secondment started on `start_date`, too late for this action."""

    start_date: date


@dataclass
class AlreadyEscalated(Refusal):
    """HR has been asked already, by whom and when."""

    kind: EscalationKind
    raised_by: str | None
    raised_at: datetime


@dataclass
class HrNotConfigured(Refusal):
    """Nobody is set up as HR (HR_CHANNEL and HR_USERS are empty)."""


class InvalidInput(Exception):
    """A submitted form breaks a rule; `errors` maps each field to what to change."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass
class AlreadyAnswered(Refusal):
    """This check-in was answered already."""

    sequence: int
    answered_at: datetime


@dataclass
class TooEarly(Refusal):
    """The action opens on `opens_on`."""

    opens_on: date


@dataclass
class NotUnderway(Refusal):
    """The action is for a secondment under way (or, `or_approved`, about to start)."""

    secondment_id: int
    status: Status


@dataclass
class ProposalOpen(Refusal):
    """An end-of-term proposal is being decided; it has to be settled first."""

    kind: ProposalKind
    proposed_by: str
    status: Status


@dataclass
class EndSettled(Refusal):
    """What happens at the end is already settled: an outcome, or a confirmed return."""

    outcome: EndOutcome | None
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None


@dataclass
class AfterEndDate(Refusal):
    """The action is for before the end date, which has passed."""

    end_date: date


@dataclass
class StillOpen(Refusal):
    """A person's data can't be erased while these secondments of theirs are still open."""

    secondment_ids: tuple[int, ...]


@dataclass
class UnreadableReference(Refusal):
    """A button or form carried a reference the bot cannot read (not one it made, or one
    from before a change to what references hold)."""


# A secondment number or version as the bot writes them: plain ASCII digits, within an integer
# column (a longer one, or digits of another script, is not one the bot wrote).
_NUMBER = re.compile(r"[0-9]{1,9}")


def reference_number(text: str) -> int:
    """A number read from a reference; `UnreadableReference` when it is not one."""
    if not _NUMBER.fullmatch(text):
        raise UnreadableReference()
    return int(text)
