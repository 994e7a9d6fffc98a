"""Who may do what to a request, as pure checks that raise the refusal to show.

The services call these inside their transactions, on the state they just read, and the
listeners call them before opening a modal, so a person is refused before they type, and again
if things changed while they typed.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.domain.errors import (
    AfterEndDate,
    AlreadyEscalated,
    AlreadyStarted,
    EndSettled,
    HrNotConfigured,
    NoLongerPending,
    NotBlocked,
    NotFound,
    NotUnderway,
    OnlyHr,
    OnlyThesePeople,
    ProposalOpen,
    TooEarly,
)
from bot.domain.kinds import FOLLOW_UP_SEQUENCE, CheckInAnswer, EscalationKind
from bot.domain.record import SecondmentRecord
from bot.domain.states import APPROVED_OR_UNDERWAY, Status


def check_can_see(
    record: SecondmentRecord | None, secondment_id: int, actor_id: str, actor_is_hr: bool
) -> SecondmentRecord:
    """Parties see their own requests and HR sees all; others are told it was not found, so
    nobody learns which requests exist by guessing numbers."""
    if record is None or not (actor_is_hr or record.involves(actor_id)):
        raise NotFound(secondment_id)
    return record


def deciders_of_the_other_side(record: SecondmentRecord) -> tuple[str, ...]:
    """Who decides the side that did not block (none while nothing is blocked)."""
    blocked = record.blocked_side
    return () if blocked is None else (record.side(blocked.side.other).decider_id,)


def check_can_respond(record: SecondmentRecord, actor_id: str) -> None:
    """After a block, whoever decides the other side may answer it in the thread."""
    if not record.status.is_blocked:
        raise NotBlocked()
    allowed = deciders_of_the_other_side(record)
    if actor_id not in allowed:
        raise OnlyThesePeople("respond to the block", allowed)


def check_can_ask_hr(record: SecondmentRecord, actor_id: str, *, hr_configured: bool) -> None:
    """After a block, the employee or whoever decides the other side may bring in HR, when
    someone is set up as HR."""
    if not hr_configured:
        raise HrNotConfigured()
    if not record.status.is_blocked:
        raise NotBlocked()
    allowed = (record.employee_id, *deciders_of_the_other_side(record))
    if actor_id not in allowed:
        raise OnlyThesePeople("ask HR to review the block", allowed)
    for escalation in record.open_escalations:
        if escalation.kind is EscalationKind.BLOCK_REVIEW:
            raise AlreadyEscalated(escalation.kind, escalation.raised_by, escalation.created_at)


def check_can_change(record: SecondmentRecord, actor_id: str) -> None:
    """Only the employee may propose new terms, and only while the request is open."""
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
    """Only HR may do `action`."""
    if not actor_is_hr:
        raise OnlyHr(action)


def check_can_record_objectives(record: SecondmentRecord, actor_id: str) -> None:
    """The employee and the host side's decider set the objectives together, once approved."""
    allowed = (record.employee_id, record.host.decider_id)
    if actor_id not in allowed:
        raise OnlyThesePeople("record the objectives", allowed)
    if record.status not in APPROVED_OR_UNDERWAY:
        raise NotUnderway(record.id, record.status)


def check_can_check_in(record: SecondmentRecord, actor_id: str, sequence: int) -> None:
    """Only the employee answers their check-ins: while the secondment is under way, and the
    follow-up once it is complete."""
    if actor_id != record.employee_id:
        raise OnlyThesePeople("answer this check-in", (record.employee_id,))
    if sequence == FOLLOW_UP_SEQUENCE:
        answerable = record.status is Status.COMPLETED
    else:
        answerable = record.status.is_underway
    if not answerable:
        raise NotUnderway(record.id, record.status)


DEBRIEF_WINDOW_DAYS = 7


def check_can_open_debrief(record: SecondmentRecord, actor_id: str) -> None:
    """The employee or the home manager records the return debrief of an active secondment."""
    allowed = (record.employee_id, record.home.manager_id)
    if actor_id not in allowed:
        raise OnlyThesePeople("record the return debrief", allowed)
    _refuse_open_proposal(record)
    if record.status is not Status.ACTIVE:
        raise NotUnderway(record.id, record.status)


def check_can_debrief(record: SecondmentRecord, actor_id: str, today: date) -> None:
    """...from a week before the end date (a debrief held a little early still counts)."""
    check_can_open_debrief(record, actor_id)
    if today < record.terms.end_date - timedelta(days=DEBRIEF_WINDOW_DAYS):
        raise TooEarly(record.terms.end_date - timedelta(days=DEBRIEF_WINDOW_DAYS))


def check_can_end_early(record: SecondmentRecord, actor_id: str) -> None:
    """Any of the three may end an active secondment early (with a reason and notice)."""
    allowed = record.parties
    if actor_id not in allowed:
        raise OnlyThesePeople("end the secondment early", allowed)
    if not record.status.is_underway:
        raise NotUnderway(record.id, record.status)


def _refuse_open_proposal(record: SecondmentRecord) -> None:
    if record.proposal is not None:
        raise ProposalOpen(record.proposal.kind, record.proposal.proposed_by, record.status)


def _refuse_settled_end(record: SecondmentRecord) -> None:
    if record.outcome is not None:
        raise EndSettled(record.outcome)
    if not record.status.is_underway:
        raise NotUnderway(record.id, record.status)


def check_may_propose(record: SecondmentRecord, actor_id: str) -> None:
    """Any of the three may propose an extension or a permanent move. A new proposal may
    replace a blocked one, not one the managers are still deciding."""
    allowed = record.parties
    if actor_id not in allowed:
        raise OnlyThesePeople("propose an extension or a permanent move", allowed)
    _refuse_settled_end(record)
    if record.status is Status.PROPOSAL_PENDING:
        _refuse_open_proposal(record)


def check_can_propose(record: SecondmentRecord, actor_id: str, today: date) -> None:
    """...up to the end date, in the proposer's calendar."""
    check_may_propose(record, actor_id)
    if today > record.terms.end_date:
        raise AfterEndDate(record.terms.end_date)


def check_can_confirm_return(record: SecondmentRecord, actor_id: str) -> None:
    """Any of the three may confirm the planned return, which also closes a blocked proposal;
    a proposal still being decided may be closed this way only by whoever proposed it."""
    allowed = record.parties
    if actor_id not in allowed:
        raise OnlyThesePeople("confirm the return", allowed)
    _refuse_settled_end(record)
    if record.return_confirmed is not None:
        confirmed = record.return_confirmed
        raise EndSettled(None, confirmed.by, confirmed.at)
    proposal = record.proposal
    if record.status is Status.PROPOSAL_PENDING and proposal and proposal.proposed_by != actor_id:
        _refuse_open_proposal(record)


def check_can_export(
    record: SecondmentRecord | None, secondment_id: int, actor_id: str, actor_is_hr: bool
) -> SecondmentRecord:
    """The written record goes to the three parties and HR; a delegate decided one round and
    is not given the whole file. Others are told it was not found, as with `check_can_see`."""
    if record is None or not (actor_is_hr or actor_id in record.parties):
        raise NotFound(secondment_id)
    return record


def may_read_check_in_note(
    record: SecondmentRecord,
    viewer_id: str,
    viewer_is_hr: bool,
    *,
    sequence: int,
    answer: CheckInAnswer | None,
    shared: bool,
) -> bool:
    """A check-in's note reaches whom the employee was told it would: concerns and need help go
    to the host manager (after the return, in the follow-up, to the home manager), a shared
    summary to the home manager; HR sees all of it."""
    if viewer_is_hr or viewer_id == record.employee_id:
        return True
    raised = answer in (CheckInAnswer.CONCERNS, CheckInAnswer.NEED_HELP)
    if sequence == FOLLOW_UP_SEQUENCE:
        return raised and viewer_id == record.home.manager_id
    if viewer_id == record.host.manager_id:
        return raised
    return shared and viewer_id == record.home.manager_id
