"""The report's figures from plain rows, against numbers worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.block_reasons import BlockReason
from bot.domain.report import (
    CheckIns,
    DecisionRow,
    Outcomes,
    ReportFilter,
    RequestRow,
    Spread,
    compile_report,
    spread,
)
from bot.domain.states import EndOutcome, Outcome, Side, Status

T0 = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
STARTED = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
WANTED = ReportFilter(date(2027, 1, 1), date(2027, 1, 31), "data")
HOME, HOST = Side.HOME, Side.HOST
OK, NO = Outcome.APPROVED, Outcome.BLOCKED


def request(
    number: int,
    status: Status,
    *,
    start: date = date(2027, 2, 1),
    end: date = date(2027, 7, 30),
    outcome: EndOutcome | None = None,
    started: datetime | None = None,
    extensions: int = 0,
) -> RequestRow:
    return RequestRow(
        number, status, outcome, T0, started, extensions, "Data", "Analyst", start, end
    )


def decided(
    number: int, side: Side, hours: float, outcome: Outcome = OK, reason: BlockReason | None = None
) -> DecisionRow:
    return DecisionRow(number, side, outcome, reason, T0 + timedelta(hours=hours))


REQUESTS = [
    request(1, Status.PENDING),
    request(2, Status.BLOCKED),
    request(3, Status.APPROVED, start=date(2027, 3, 1), end=date(2027, 3, 31)),  # 31 days
    request(  # 242 days; extended, then ended early
        4,
        Status.ACTIVE,
        start=date(2027, 2, 1),
        end=date(2027, 9, 30),
        outcome=EndOutcome.ENDED_EARLY,
        started=STARTED,
        extensions=1,
    ),
    request(  # 14 days
        5,
        Status.COMPLETED,
        start=date(2027, 1, 10),
        end=date(2027, 1, 23),
        outcome=EndOutcome.RETURNED,
        started=STARTED,
    ),
    request(6, Status.WITHDRAWN, start=date(2027, 2, 1), end=date(2027, 12, 31)),
    request(  # 14 days
        7,
        Status.ACTIVE,
        start=date(2027, 2, 1),
        end=date(2027, 2, 14),
        outcome=EndOutcome.PERMANENT,
        started=STARTED,
    ),
]
PROPOSAL_TIME = (STARTED + timedelta(days=100) - T0).total_seconds() / 3600
DECISIONS = [
    decided(2, HOST, 2),
    decided(2, HOME, 6, NO, BlockReason.COVER),
    decided(3, HOME, 10),
    decided(3, HOST, 4),
    # Blocked, then reconsidered; after the start, a proposal blocked by the host.
    decided(4, HOME, 3),
    decided(4, HOME, 1, NO, BlockReason.TIMING),
    decided(4, HOST, 20),
    decided(4, HOST, PROPOSAL_TIME, NO, BlockReason.WORKLOAD),
    decided(4, HOME, PROPOSAL_TIME),
    decided(5, HOME, 30),
    decided(5, HOST, 0.5),
    decided(6, HOME, 2, NO, BlockReason.COVER),
    decided(7, HOME, 8),
    decided(7, HOST, 8),
]
CHECK_INS = {4: CheckIns(answered=3, missed=1, concerns=1), 5: CheckIns(answered=2, need_help=1)}
NOW = datetime(2027, 6, 1, tzinfo=UTC)


def test_counts_by_status_include_every_status() -> None:
    report = compile_report(WANTED, NOW, REQUESTS, DECISIONS, CHECK_INS)

    assert report.total == 7
    assert report.by_status == {
        Status.PENDING: 1,
        Status.APPROVED: 1,
        Status.BLOCKED: 1,
        Status.WITHDRAWN: 1,
        Status.ACTIVE: 2,
        Status.PROPOSAL_PENDING: 0,
        Status.PROPOSAL_BLOCKED: 0,
        Status.COMPLETED: 1,
    }
    assert list(report.by_status) == list(Status)


def test_blocks_on_requests_count_apart_from_blocks_on_proposals() -> None:
    report = compile_report(WANTED, NOW, REQUESTS, DECISIONS, CHECK_INS)

    # #2, #4 and #6 were blocked before any start; #4's later block was on a proposal.
    assert report.blocked_requests == 3
    assert report.block_rate == pytest.approx(3 / 7)
    assert report.blocks_by_reason == {
        BlockReason.COVER: 2,
        BlockReason.WORKLOAD: 0,
        BlockReason.TIMING: 1,
        BlockReason.CONTINUITY: 0,
        BlockReason.NOT_A_FIT: 0,
        BlockReason.POLICY: 0,
        BlockReason.OTHER: 0,
    }
    assert report.proposal_blocks == 1


def test_time_to_first_decision_is_from_the_request_for_each_side() -> None:
    report = compile_report(WANTED, NOW, REQUESTS, DECISIONS, CHECK_INS)

    # Home: 6, 10, 1 (the block before the reconsidering), 30, 2, 8 hours.
    assert report.hours_to_decision[HOME] == Spread(6, 7.0, 1.0, 30.0)
    # Host: 2, 4, 20, 0.5, 8 hours; #1 and #6 had no host decision.
    assert report.hours_to_decision[HOST] == Spread(5, 4.0, 0.5, 20.0)


def test_term_length_counts_both_days_for_secondments_approved_or_later() -> None:
    report = compile_report(WANTED, NOW, REQUESTS, DECISIONS, CHECK_INS)

    # 31, 242, 14 and 14 days; the pending, blocked and withdrawn requests are left out.
    assert report.term_days == Spread(4, 22.5, 14, 242)


def test_outcomes_and_extensions() -> None:
    report = compile_report(WANTED, NOW, REQUESTS, DECISIONS, CHECK_INS)

    assert report.outcomes == Outcomes(returned=1, extended=1, permanent=1, ended_early=1)


def test_check_in_health_adds_up_and_the_rate_leaves_out_the_unasked() -> None:
    report = compile_report(WANTED, NOW, REQUESTS, DECISIONS, CHECK_INS)

    assert report.check_ins == CheckIns(answered=5, missed=1, concerns=1, need_help=1)
    assert report.check_ins.answered_rate == pytest.approx(5 / 6)


def test_each_line_is_one_secondment_in_the_order_given() -> None:
    report = compile_report(WANTED, NOW, REQUESTS, DECISIONS, CHECK_INS)

    assert [line.request.id for line in report.lines] == [1, 2, 3, 4, 5, 6, 7]
    first, _, _, fourth, *_ = report.lines
    assert first.hours_to_decision == {HOME: None, HOST: None}
    assert (first.request_blocks, first.extended, first.check_ins) == (0, False, CheckIns())
    assert fourth.hours_to_decision == {HOME: 1.0, HOST: 20.0}
    assert fourth.block_reasons == (BlockReason.TIMING,)
    assert (fourth.proposal_blocks, fourth.extended) == (1, True)
    assert fourth.check_ins == CheckIns(answered=3, missed=1, concerns=1)
    assert fourth.request.days == 242


def test_a_report_with_nothing_in_it_has_no_rates_or_medians() -> None:
    report = compile_report(WANTED, NOW, [], [], {})

    assert report.total == 0 and set(report.by_status.values()) == {0}
    assert report.block_rate is None
    assert report.check_ins.answered_rate is None
    assert report.hours_to_decision[HOME] == Spread(0, None, None, None)
    assert report.term_days == Spread(0, None, None, None)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], Spread(0, None, None, None)),
        ([5.0], Spread(1, 5.0, 5.0, 5.0)),
        ([9.0, 1.0, 4.0], Spread(3, 4.0, 1.0, 9.0)),
        ([10.0, 1.0, 4.0, 2.0], Spread(4, 3.0, 1.0, 10.0)),
    ],
)
def test_spread_gives_the_median_of_odd_and_even_counts(
    values: list[float], expected: Spread
) -> None:
    assert spread(values) == expected
