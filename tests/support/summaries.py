"""A whole record as the App Home sees it: what a `SecondmentSummary` should say of a secondment,
taken from its `SecondmentRecord`. Builder tests start from the sample records with it, and the
service's tests check the Home's own query against the record loader with it."""

from __future__ import annotations

from bot.domain.record import SecondmentRecord, SideRecord
from bot.domain.states import SideState
from bot.domain.summary import SecondmentSummary, SideSummary


def summary_of(record: SecondmentRecord) -> SecondmentSummary:
    """The summary the App Home's query should read for this record."""

    def side(side: SideRecord) -> SideSummary:
        """One side's summary, from its record."""
        return SideSummary(
            side.side, side.manager_id, side.delegate_id, side.state, hr_decides=side.hr_decides
        )

    blocked = record.blocked_side
    return SecondmentSummary(
        id=record.id,
        employee_id=record.employee_id,
        status=record.status,
        role_title=record.terms.role_title,
        host_team=record.terms.host_team,
        start_date=record.terms.start_date,
        end_date=record.terms.end_date,
        home=side(record.home),
        host=side(record.host),
        block_reason=blocked.block.reason if blocked and blocked.block else None,
        outcome=record.outcome,
        proposal=record.proposal.kind if record.proposal else None,
        deciding_version=record.deciding_version,
        round_started_at=record.round_started_at,
        thread_url=record.thread_url,
        exception_pending=record.exception is not None
        and record.exception.state is SideState.PENDING,
    )
