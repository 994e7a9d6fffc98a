"""The end-of-term rules without a database: when the question is asked and about which terms,
the return-rights date, and who may confirm a return or propose an extension or a permanent
move. Expected dates are written out by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot.domain.errors import AfterEndDate, EndSettled, OnlyThesePeople, ProposalOpen
from bot.domain.kinds import NudgeKind
from bot.domain.permissions import check_can_confirm_return, check_can_propose
from bot.domain.policy import Policy, return_rights_limit
from bot.domain.record import Proposal, ReturnConfirmed, SecondmentRecord
from bot.domain.states import EndOutcome, ProposalKind, Status
from bot.domain.terms import ReturnArrangement
from bot.domain.underway_plan import Underway, end_decision_ask, plan_underway_nudges
from tests.slack.test_builders import record as make_record

POLICY = Policy()
START, END = date(2027, 2, 1), date(2027, 7, 30)
EMPLOYEE, HOME, HOST = "UEMPLOYEE", "UHOME", "UHOST"
WHEN = datetime(2027, 6, 30, 10, tzinfo=UTC)


def underway(**changes: object) -> Underway:
    base = Underway(Status.ACTIVE, START, END, EMPLOYEE, HOME, HOST, 2, terms_version=1)
    return replace(base, **changes)  # type: ignore[arg-type]


def asks(secondment: Underway, policy: Policy = POLICY) -> list[tuple[int, str, datetime]]:
    return sorted(
        (n.sequence, n.recipient_id or "", n.due_at)
        for n in plan_underway_nudges(secondment, {}, policy)
        if n.kind is NudgeKind.END_DECISION
    )


def test_the_three_are_asked_30_and_7_days_before_the_end_about_the_terms_in_force() -> None:
    planned = asks(underway(terms_version=3))

    # 30 June (Wednesday) and 23 July (Friday), 09:00 in UTC for people with no timezone.
    first, second = datetime(2027, 6, 30, 9, tzinfo=UTC), datetime(2027, 7, 23, 9, tzinfo=UTC)
    assert planned == [
        (31, EMPLOYEE, first),
        (31, HOME, first),
        (31, HOST, first),
        (32, EMPLOYEE, second),
        (32, HOME, second),
        (32, HOST, second),
    ]
    assert end_decision_ask(32) == (3, 2)


def test_an_ask_on_a_weekend_goes_out_the_next_working_day() -> None:
    planned = asks(underway(end_date=date(2027, 8, 1)))  # a Sunday: 30 days before is Friday 2 July

    assert {due for _, _, due in planned} == {
        datetime(2027, 7, 2, 9, tzinfo=UTC),
        datetime(2027, 7, 26, 9, tzinfo=UTC),  # Sunday 25 July moves to Monday
    }


@pytest.mark.parametrize(
    "secondment",
    [
        underway(end_decided=True),
        underway(status=Status.PROPOSAL_PENDING),
        underway(status=Status.PROPOSAL_BLOCKED),
        underway(status=Status.APPROVED),
        underway(status=Status.COMPLETED),
    ],
)
def test_nobody_is_asked_once_it_is_settled_or_being_decided(secondment: Underway) -> None:
    assert asks(secondment) == []


def test_a_short_term_is_asked_only_nearer_its_end() -> None:
    planned = asks(underway(start_date=date(2027, 3, 1), end_date=date(2027, 3, 26)))

    # 30 days before the end is before the start; 7 days before is Friday 19 March.
    assert {(sequence, due) for sequence, _, due in planned} == {
        (12, datetime(2027, 3, 19, 9, tzinfo=UTC))
    }


def test_the_ask_days_follow_the_policy() -> None:
    policy = Policy(end_decision_days=60, end_decision_reminder_days=14)

    days = {due.date() for _, _, due in asks(underway(), policy)}

    assert days == {date(2027, 5, 31), date(2027, 7, 16)}


@pytest.mark.parametrize(
    ("start", "months", "limit"),
    [
        (date(2027, 2, 1), 12, date(2028, 1, 31)),
        (date(2027, 1, 31), 1, date(2027, 2, 27)),  # 31 Jan + 1 month is 28 Feb
        (date(2027, 3, 15), 6, date(2027, 9, 14)),
    ],
)
def test_return_rights_change_at_the_end_date_that_completes_the_months(
    start: date, months: int, limit: date
) -> None:
    terms = make_record(Status.ACTIVE).terms
    terms = replace(terms, start_date=start, end_date=start)

    assert return_rights_limit(terms, Policy(return_rights_months=months)) == limit


def active(**changes: object) -> SecondmentRecord:
    return replace(make_record(Status.ACTIVE), **changes)  # type: ignore[arg-type]


def proposal(by: str = EMPLOYEE) -> Proposal:
    terms = make_record(Status.ACTIVE).terms
    return Proposal(ProposalKind.EXTEND, 2, replace(terms, end_date=date(2027, 12, 31)), by, None)


def test_any_of_the_three_may_propose_until_the_end_date() -> None:
    record = active()
    end = record.terms.end_date

    for person in record.parties:
        check_can_propose(record, person, end)
    with pytest.raises(OnlyThesePeople):
        check_can_propose(record, "UOUTSIDER", end)
    with pytest.raises(AfterEndDate):
        check_can_propose(record, EMPLOYEE, date.fromordinal(end.toordinal() + 1))


def test_a_proposal_being_decided_is_not_replaced_but_a_blocked_one_is() -> None:
    deciding = active(status=Status.PROPOSAL_PENDING, proposal=proposal())
    blocked = active(status=Status.PROPOSAL_BLOCKED, proposal=proposal())

    with pytest.raises(ProposalOpen):
        check_can_propose(deciding, HOST, WHEN.date())
    check_can_propose(blocked, HOST, WHEN.date())


def test_a_settled_end_refuses_proposals_and_confirmations() -> None:
    permanent = active(outcome=EndOutcome.PERMANENT)
    confirmed = active(return_confirmed=ReturnConfirmed(HOME, WHEN))

    with pytest.raises(EndSettled):
        check_can_propose(permanent, EMPLOYEE, WHEN.date())
    with pytest.raises(EndSettled):
        check_can_confirm_return(permanent, EMPLOYEE)
    with pytest.raises(EndSettled) as refused:
        check_can_confirm_return(confirmed, HOST)
    assert (refused.value.confirmed_by, refused.value.confirmed_at) == (HOME, WHEN)
    check_can_propose(confirmed, HOST, WHEN.date())  # a change of mind is still possible


def test_only_the_proposer_closes_a_proposal_being_decided_by_confirming_the_return() -> None:
    deciding = active(status=Status.PROPOSAL_PENDING, proposal=proposal(by=HOST))

    check_can_confirm_return(deciding, HOST)
    with pytest.raises(ProposalOpen):
        check_can_confirm_return(deciding, EMPLOYEE)
    check_can_confirm_return(replace(deciding, status=Status.PROPOSAL_BLOCKED), EMPLOYEE)


def test_a_permanent_move_is_not_offered_on_a_request() -> None:
    assert ReturnArrangement.PERMANENT_MOVE not in ReturnArrangement.on_request()
