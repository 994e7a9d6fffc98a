"""A secondment at a glance: what an item in a list of secondments (the App Home's) shows of
it, read with the list's own query instead of loading each whole `SecondmentRecord`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.block_reasons import BlockReason
from bot.domain.states import EndOutcome, ProposalKind, Side, SideState, Status


@dataclass(frozen=True, slots=True)
class SideSummary:
    """A manager's side as the Home shows it: who decides it, and where it stands."""

    side: Side
    manager_id: str
    delegate_id: str | None
    state: SideState
    hr_decides: bool = False  # its decider's account was deactivated: HR decides it

    @property
    def decider_id(self) -> str:
        """Whoever decides this side now: the manager, or the person they delegated to."""
        return self.delegate_id or self.manager_id


@dataclass(frozen=True, slots=True)
class SecondmentSummary:
    """A secondment as a Home item shows it: the terms in force in a line, where it stands, on
    whom it waits and what its decision buttons decide."""

    id: int
    employee_id: str
    status: Status
    role_title: str
    host_team: str
    start_date: date
    end_date: date
    home: SideSummary
    host: SideSummary
    block_reason: BlockReason | None  # why the blocked side blocked (none while neither does)
    outcome: EndOutcome | None
    proposal: ProposalKind | None  # an end-of-term proposal being decided
    deciding_version: int  # the terms version the managers decide: the proposal's, if any
    round_started_at: datetime
    thread_url: str | None
    # HR is asked for an exception to its rules on the terms being decided, and has not answered.
    exception_pending: bool = False

    @property
    def sides(self) -> tuple[SideSummary, SideSummary]:
        """Both sides, home first."""
        return (self.home, self.host)

    def side(self, side: Side) -> SideSummary:
        """One manager's side of it."""
        return self.home if side is Side.HOME else self.host

    @property
    def blocked_side(self) -> SideSummary | None:
        """The side that blocked, while one has."""
        return next((s for s in self.sides if s.state is SideState.BLOCKED), None)
