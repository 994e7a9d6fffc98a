"""Who may do what to a request, as pure checks that raise the refusal to show.

The services call these inside their transactions, on the state they just read, and the
listeners call them before opening a modal, so a person is refused before they type, and again
if things changed while they typed.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.domain.errors import (
    AlreadyEscalated,
    AlreadyStarted,
    HrNotConfigured,
    NoLongerPending,
    NotBlocked,
    NotFound,
    NotUnderway,
    OnlyHr,
    OnlyThesePeople,
    TooEarly,
)
from bot.domain.followups import FOLLOW_UP_SEQUENCE, EscalationKind
from bot.domain.record import SecondmentRecord
from bot.domain.states import Status


def check_can_see(
    record: SecondmentRecord | None, secondment_id: int, actor_id: str, actor_is_hr: bool
) -> SecondmentRecord:
    """Parties see their own requests and HR sees all; others are told it was not found, so
    nobody learns which requests exist by guessing numbers."""
    if record is None or not (actor_is_hr or record.involves(actor_id)):
        raise NotFound(secondment_id)
    return record


def deciders_of_the_other_side(record: SecondmentRecord) -> tuple[str, ...]:
    blocked = record.blocked_side
    return () if blocked is None else (record.side(blocked.side.other).decider_id,)


def check_can_respond(record: SecondmentRecord, actor_id: str) -> None:
    """After a block, whoever decides the other side may answer it in the thread."""
    if record.status is not Status.BLOCKED:
        raise NotBlocked()
    allowed = deciders_of_the_other_side(record)
    if actor_id not in allowed:
        raise OnlyThesePeople("respond to the block", allowed)


def check_can_ask_hr(record: SecondmentRecord, actor_id: str, *, hr_configured: bool) -> None:
    """After a block, the employee or whoever decides the other side may bring in HR, when
    someone is set up as HR."""
    if not hr_configured:
        raise HrNotConfigured()
    if record.status is not Status.BLOCKED:
        raise NotBlocked()
    allowed = (record.employee_id, *deciders_of_the_other_side(record))
    if actor_id not in allowed:
        raise OnlyThesePeople("ask HR to review the block", allowed)
    for escalation in record.open_escalations:
        if escalation.kind is EscalationKind.BLOCK_REVIEW:
            raise AlreadyEscalated(escalation.kind, escalation.raised_by, escalation.created_at)


def check_can_change(record: SecondmentRecord, actor_id: str) -> None:
    if actor_id != record.employee_id:
        raise OnlyThesePeople("propose changes to the terms", (record.employee_id,))
    if not record.status.is_open:
        raise NoLongerPending(record.status)


def check_can_withdraw(record: SecondmentRecord, actor_id: str, today: date) -> None:
    """The employee may withdraw an open request; an approved one only before its start. A
    request never approved has not started, whatever its planned start date."""
    if actor_id != record.employee_id:
        raise OnlyThesePeople("withdraw the request", (record.employee_id,))
    if not record.status.is_open:
        raise NoLongerPending(record.status)
    if record.status is Status.APPROVED and today >= record.terms.start_date:
        raise AlreadyStarted(record.terms.start_date)


def check_is_hr(actor_is_hr: bool, action: str) -> None:
    if not actor_is_hr:
        raise OnlyHr(action)


def check_can_record_objectives(record: SecondmentRecord, actor_id: str) -> None:
    """The employee and the host side's decider set the objectives together, once approved."""
    allowed = (record.employee_id, record.host.decider_id)
    if actor_id not in allowed:
        raise OnlyThesePeople("record the objectives", allowed)
    if record.status not in (Status.APPROVED, Status.ACTIVE):
        raise NotUnderway(record.id, record.status)


def check_can_check_in(record: SecondmentRecord, actor_id: str, sequence: int) -> None:
    """Only the employee answers their check-ins: while the secondment is under way, and the
    follow-up once it is complete."""
    if actor_id != record.employee_id:
        raise OnlyThesePeople("answer this check-in", (record.employee_id,))
    expected = Status.COMPLETED if sequence == FOLLOW_UP_SEQUENCE else Status.ACTIVE
    if record.status is not expected:
        raise NotUnderway(record.id, record.status)


DEBRIEF_WINDOW_DAYS = 7


def check_can_open_debrief(record: SecondmentRecord, actor_id: str) -> None:
    """The employee or the home manager records the return debrief of an active secondment."""
    allowed = (record.employee_id, record.home.manager_id)
    if actor_id not in allowed:
        raise OnlyThesePeople("record the return debrief", allowed)
    if record.status is not Status.ACTIVE:
        raise NotUnderway(record.id, record.status)


def check_can_debrief(record: SecondmentRecord, actor_id: str, today: date) -> None:
    """...from a week before the end date (a debrief held a little early still counts)."""
    check_can_open_debrief(record, actor_id)
    if today < record.terms.end_date - timedelta(days=DEBRIEF_WINDOW_DAYS):
        raise TooEarly(record.terms.end_date - timedelta(days=DEBRIEF_WINDOW_DAYS))


def check_can_end_early(record: SecondmentRecord, actor_id: str) -> None:
    """Any of the three may end an active secondment early (with a reason and notice)."""
    allowed = (record.employee_id, record.home.manager_id, record.host.manager_id)
    if actor_id not in allowed:
        raise OnlyThesePeople("end the secondment early", allowed)
    if record.status is not Status.ACTIVE:
        raise NotUnderway(record.id, record.status)
