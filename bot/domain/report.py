"""HR's report on secondments (docs/DOMAIN.md: HR needs "visibility, escalations, reports"): what HR
asks for, and the figures, computed from plain rows the service reads.

The definitions, stated once here and in the report's footnote and the README:
- A secondment is in the report when its request was made (`created_at`, a UTC day) within the
  date range, and the host team of its terms in force contains the team text (any case).
- Block rate: the share of requests with at least one block on the request, that is a block made
  before the secondment started. Blocks of end-of-term proposals (made after the start) are
  counted apart; blocks by reason counts every block on a request, a request blocked twice twice.
- Time to decision, for each side: from the request being made to that side's first decision
  (approve, approve with conditions, or block), on whatever version of the terms, in hours of
  elapsed time. Sides with no decision yet are left out of the median.
- Term length: the days from the start date to the end date of the terms in force, both
  counted, so an agreed extension or an early end counts; for secondments approved or later
  (approved, under way or completed).
- Outcomes: as recorded on the secondment (a permanent move and an early end are recorded when
  agreed, a return when the debrief completes it). Extended: at least one agreed extension; an
  extended secondment also has whichever outcome it ends with.
- Check-ins: the regular check-ins during the secondment (not the follow-up after the return).
  Missed: marked missed and never answered. Answered rate: answered / (answered + missed);
  check-ins still waiting for an answer count in neither.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot.domain.block_reasons import BlockReason
from bot.domain.states import APPROVED_OR_UNDERWAY, EndOutcome, Outcome, Side, Status

# Approved or later: the terms were agreed, whatever happened next (but not withdrawn).
AGREED = (*APPROVED_OR_UNDERWAY, Status.COMPLETED)


@dataclass(frozen=True, slots=True)
class ReportFilter:
    """Which secondments HR wants: requests made from `date_from` to `date_to` (both included,
    UTC days), with a host team containing `team`. None: no limit."""

    date_from: date | None = None
    date_to: date | None = None
    team: str | None = None


class FilterProblem(StrEnum):
    """What can be wrong with the filter HR typed."""

    UNKNOWN_WORD = "unknown_word"
    MISSING_VALUE = "missing_value"
    REPEATED = "repeated"
    NOT_A_DATE = "not_a_date"
    FROM_AFTER_TO = "from_after_to"


@dataclass(frozen=True, slots=True)
class BadFilter:
    """What is wrong with the filter HR typed, and the word it is about."""

    problem: FilterProblem
    word: str


def check_range(date_from: date | None, date_to: date | None) -> BadFilter | None:
    """A problem when the date range runs backwards."""
    if date_from and date_to and date_from > date_to:
        return BadFilter(FilterProblem.FROM_AFTER_TO, f"from {date_from} to {date_to}")
    return None


# --- the rows the service reads ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RequestRow:
    """One secondment in the filter, with its terms in force."""

    id: int
    status: Status
    outcome: EndOutcome | None
    requested_at: datetime
    started_at: datetime | None  # when it became active; decisions after it are on proposals
    extensions: int  # agreed extensions
    host_team: str
    role_title: str
    start_date: date
    end_date: date
    # Exceptions to HR's rules: asked with its terms, granted and refused by HR.
    exceptions_asked: int = 0
    exceptions_granted: int = 0
    exceptions_refused: int = 0

    @property
    def days(self) -> int:
        """Length of the term in force, counting both the first and the last day."""
        return (self.end_date - self.start_date).days + 1


@dataclass(frozen=True, slots=True)
class DecisionRow:
    """One decision of a side in the report's secondments, with the block's category."""

    secondment_id: int
    side: Side
    outcome: Outcome
    reason: BlockReason | None
    at: datetime


@dataclass(frozen=True, slots=True)
class CheckIns:
    """How check-ins were answered, for one secondment or the whole report."""

    answered: int = 0
    missed: int = 0
    concerns: int = 0
    need_help: int = 0

    def __add__(self, other: CheckIns) -> CheckIns:
        return CheckIns(
            self.answered + other.answered,
            self.missed + other.missed,
            self.concerns + other.concerns,
            self.need_help + other.need_help,
        )

    @property
    def answered_rate(self) -> float | None:
        """The share of check-ins asked that were answered; None when none were."""
        asked = self.answered + self.missed
        return self.answered / asked if asked else None


# --- the figures -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Spread:
    """How many values, and their median, smallest and largest (None when there are none)."""

    count: int
    median: float | None
    minimum: float | None
    maximum: float | None


def spread(values: Iterable[float]) -> Spread:
    """The count, median and range of some values."""
    ordered = sorted(values)
    if not ordered:
        return Spread(0, None, None, None)
    return Spread(len(ordered), statistics.median(ordered), ordered[0], ordered[-1])


def share(part: int, whole: int) -> float | None:
    """`part` as a fraction of `whole`; None when the whole is nothing."""
    return part / whole if whole else None


@dataclass(frozen=True, slots=True)
class ReportLine:
    """One secondment as the CSV shows it."""

    request: RequestRow
    hours_to_decision: dict[Side, float | None]
    block_reasons: tuple[BlockReason, ...]  # of each block on the request, in order
    proposal_blocks: int
    check_ins: CheckIns

    @property
    def request_blocks(self) -> int:
        """How many blocks the request had."""
        return len(self.block_reasons)

    @property
    def extended(self) -> bool:
        """Whether the secondment had an agreed extension."""
        return self.request.extensions > 0


@dataclass(frozen=True, slots=True)
class Outcomes:
    """How many of the report's secondments ended each way."""

    returned: int
    extended: int
    permanent: int
    ended_early: int


@dataclass(frozen=True, slots=True)
class Exceptions:
    """Exceptions to HR's rules over the report's secondments."""

    asked: int
    granted: int
    refused: int


@dataclass(frozen=True, slots=True)
class Report:
    """HR's report: every figure, and one line per secondment for the CSV."""

    wanted: ReportFilter
    generated_at: datetime
    lines: tuple[ReportLine, ...]
    by_status: dict[Status, int]  # every status, in the order of Status
    blocked_requests: int
    blocks_by_reason: dict[BlockReason, int]  # every reason, in the order of BlockReason
    proposal_blocks: int
    hours_to_decision: dict[Side, Spread]
    term_days: Spread
    outcomes: Outcomes
    check_ins: CheckIns
    exceptions: Exceptions = Exceptions(0, 0, 0)

    @property
    def total(self) -> int:
        """How many secondments are in the report."""
        return len(self.lines)

    @property
    def block_rate(self) -> float | None:
        """The share of requests blocked at least once before the start."""
        return share(self.blocked_requests, self.total)


def _hours(since: datetime, until: datetime) -> float:
    return (until - since).total_seconds() / 3600


def _line(request: RequestRow, decisions: Sequence[DecisionRow], check_ins: CheckIns) -> ReportLine:
    started = request.started_at
    reasons: list[BlockReason] = []
    proposal_blocks = 0
    for decision in sorted(decisions, key=lambda d: d.at):
        if decision.outcome is not Outcome.BLOCKED:
            continue
        if started is not None and decision.at > started:
            proposal_blocks += 1
        elif decision.reason is not None:  # always: bot.services.moves records the reason
            reasons.append(decision.reason)
    first: dict[Side, float | None] = {}
    for side in Side:
        times = [d.at for d in decisions if d.side is side]
        first[side] = _hours(request.requested_at, min(times)) if times else None
    return ReportLine(request, first, tuple(reasons), proposal_blocks, check_ins)


def compile_report(
    wanted: ReportFilter,
    generated_at: datetime,
    requests: Sequence[RequestRow],
    decisions: Iterable[DecisionRow],
    check_ins: dict[int, CheckIns],
) -> Report:
    """The figures for `requests`, from their decisions and their check-in counts (by
    secondment id; none means no check-ins)."""
    by_secondment: dict[int, list[DecisionRow]] = {r.id: [] for r in requests}
    for decision in decisions:
        by_secondment[decision.secondment_id].append(decision)
    lines = tuple(_line(r, by_secondment[r.id], check_ins.get(r.id, CheckIns())) for r in requests)
    reasons = Counter(reason for line in lines for reason in line.block_reasons)
    statuses = Counter(r.status for r in requests)
    outcomes = Counter(r.outcome for r in requests)
    return Report(
        wanted=wanted,
        generated_at=generated_at,
        lines=lines,
        by_status={s: statuses[s] for s in Status},
        blocked_requests=sum(line.request_blocks > 0 for line in lines),
        blocks_by_reason={reason: reasons[reason] for reason in BlockReason},
        proposal_blocks=sum(line.proposal_blocks for line in lines),
        hours_to_decision={
            side: spread(
                hours for line in lines if (hours := line.hours_to_decision[side]) is not None
            )
            for side in Side
        },
        term_days=spread(r.days for r in requests if r.status in AGREED),
        outcomes=Outcomes(
            returned=outcomes[EndOutcome.RETURNED],
            extended=sum(line.extended for line in lines),
            permanent=outcomes[EndOutcome.PERMANENT],
            ended_early=outcomes[EndOutcome.ENDED_EARLY],
        ),
        check_ins=sum((line.check_ins for line in lines), CheckIns()),
        exceptions=Exceptions(
            asked=sum(r.exceptions_asked for r in requests),
            granted=sum(r.exceptions_granted for r in requests),
            refused=sum(r.exceptions_refused for r in requests),
        ),
    )
