"""A manager handing their side's decision to someone else: who may, to whom, and while it can.

The rules of bot/services/delegation.py, and what it reports, drawn by
bot/slack/builders/ways_forward.py and bot/slack/builders/replies.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.errors import (
    AlreadyDecided,
    InvalidInput,
    NoLongerPending,
    NotYourSide,
    Refusal,
    TermsChanged,
)
from bot.domain.field_checks import FieldErrors
from bot.domain.people import Person
from bot.domain.record import SecondmentRecord
from bot.domain.states import Side, SideState, Status

DECIDING = [s.value for s in Status if s.awaits_decisions or s.is_blocked]
# A side still to decide: it can be handed over.
OPEN_SIDE = (SideState.PENDING, SideState.BLOCKED)


@dataclass(frozen=True, slots=True)
class Delegated:
    """A side handed to a delegate by its manager, or taken back (`delegate_id` None)."""

    record: SecondmentRecord
    side: Side
    manager_id: str
    delegate_id: str | None  # None: the manager took the decision back
    previous_delegate_id: str | None


@dataclass(frozen=True, slots=True)
class DelegationRefused:
    """A delegation checked after the answer and not made: why, as the form would have said it
    (`InvalidInput`), or the request moved on meanwhile (a `Refusal`)."""

    record: SecondmentRecord
    side: Side
    manager_id: str
    delegate_id: str
    problem: InvalidInput | Refusal


def refuse_unless_open(before: SecondmentRecord, side_of: Side, terms_version: int) -> None:
    """Why the side can no longer be handed over, if it cannot: decided, new terms, moved on."""
    side = before.side(side_of)
    if side.state is SideState.APPROVED and side.decided_by and side.decided_at:
        raise AlreadyDecided(side_of, side.state, side.decided_by, side.decided_at)
    if before.deciding_version != terms_version:
        raise TermsChanged(terms_version, before.deciding_version)
    if before.status.value not in DECIDING or side.state not in OPEN_SIDE:
        raise NoLongerPending(before.status)


def check_can_delegate(
    before: SecondmentRecord, side_of: Side, actor_id: str, person: Person | None
) -> None:
    """Only the side's manager delegates it, and only to someone allowed to take it."""
    side = before.side(side_of)
    if actor_id != side.manager_id:
        raise NotYourSide(side_of, side.manager_id)
    others = {before.side(side_of.other).manager_id, before.side(side_of.other).decider_id}
    errors = validate_delegate(
        person,
        manager_id=side.manager_id,
        employee_id=before.employee_id,
        other_deciders=others,
    )
    if errors:
        raise InvalidInput(errors)


def validate_delegate(
    candidate: Person | None, *, manager_id: str, employee_id: str, other_deciders: set[str]
) -> FieldErrors:
    """Who may take over a side's decision: a person who can decide, and not someone whose own
    interest or other role is in the same request. The manager themself takes the decision back."""
    if candidate is None:
        return {"delegate": "I can't find this person in Slack. Choose them again."}
    if candidate.id == employee_id:
        return {"delegate": "The employee can't decide their own request."}
    if candidate.id in other_deciders:
        return {"delegate": "They already decide the other side. Choose someone else."}
    if not candidate.can_decide and candidate.id != manager_id:
        return {"delegate": "This account can't decide: it is a bot or has been deactivated."}
    return {}
