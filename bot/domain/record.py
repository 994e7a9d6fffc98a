"""A secondment as the rest of the bot reads it: one immutable snapshot, loaded once per action
and rendered by the builders without another query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.block_reasons import BlockDetails
from bot.domain.kinds import CheckInAnswer, EscalationKind
from bot.domain.states import DecisionKind, EndOutcome, ProposalKind, Side, SideState, Status
from bot.domain.terms import Terms


@dataclass(frozen=True, slots=True)
class DecisionInfo:
    """The decision that put a side in its current state."""

    kind: DecisionKind
    decided_by: str
    on_behalf_of: str | None
    block: BlockDetails | None
    justification: str | None = None  # why HR overrode a block


@dataclass(frozen=True, slots=True)
class SideRecord:
    """One manager's side of a secondment: who decides it, where it stands, how it was decided."""

    side: Side
    manager_id: str
    delegate_id: str | None
    state: SideState
    decided_by: str | None
    decided_at: datetime | None
    decision: DecisionInfo | None
    # When its decider's account was found deactivated, and HR took it over as the fallback
    # approver (None: it has not).
    to_hr_at: datetime | None = None

    @property
    def hr_decides(self) -> bool:
        """Whether HR decides this side, its decider's account being deactivated."""
        return self.to_hr_at is not None

    @property
    def decider_id(self) -> str:
        """Whoever decides this side now: the manager, or the person they delegated to."""
        return self.delegate_id or self.manager_id

    def may_decide(self, user_id: str, *, is_hr: bool = False) -> bool:
        """Whether this person may decide this side now."""
        return user_id in (self.manager_id, self.delegate_id) or (self.hr_decides and is_hr)

    @property
    def block(self) -> BlockDetails | None:
        """The side's block, while it is blocked."""
        return self.decision.block if self.decision and self.state is SideState.BLOCKED else None


@dataclass(frozen=True, slots=True)
class EscalationInfo:
    """A request brought to HR and still open: what kind, by whom, and when."""

    kind: EscalationKind
    raised_by: str | None  # None: the bot, when nobody decided in time
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AgreedObjectives:
    """The objectives the employee and the host side agreed, and who recorded them when."""

    text: str
    set_by: str
    set_at: datetime


@dataclass(frozen=True, slots=True)
class CheckInInfo:
    """One check-in of the secondment: its answer, or when it was missed."""

    sequence: int
    answer: CheckInAnswer | None
    answered_at: datetime | None
    missed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Proposal:
    """An end-of-term proposal the managers are deciding: new terms that take over once both
    approve. Until then `SecondmentRecord.terms` stay the ones in force."""

    kind: ProposalKind
    version: int
    terms: Terms
    proposed_by: str
    note: str | None
    notes: tuple[str, ...] = ()  # policy notes the proposed terms raise


@dataclass(frozen=True, slots=True)
class ExceptionRecord:
    """An exception to HR's rules asked with the terms being decided, and HR's decision."""

    rules: str
    reason: str
    state: SideState  # PENDING: waiting for HR; APPROVED: granted; BLOCKED: refused
    decided_by: str | None
    decided_at: datetime | None
    note: str | None  # why HR refused (or a word with a grant)


@dataclass(frozen=True, slots=True)
class ReturnConfirmed:
    """Who confirmed the planned return at the end of the term, and when."""

    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class SecondmentRecord:
    """Everything known about one secondment, as one action reads it."""

    id: int
    team_id: str
    employee_id: str
    status: Status
    terms_version: int
    terms: Terms
    home: SideRecord
    host: SideRecord
    notes: tuple[str, ...]
    round: int
    round_started_at: datetime
    open_escalations: tuple[EscalationInfo, ...]
    objectives: AgreedObjectives | None
    check_in_weeks: int
    check_ins: tuple[CheckInInfo, ...]
    outcome: EndOutcome | None
    proposal: Proposal | None
    return_confirmed: ReturnConfirmed | None
    channel_id: str | None
    thread_ts: str | None
    thread_url: str | None
    created_at: datetime
    # Whether some question with buttons (a check-in, an end-of-term ask, a reminder to decide)
    # was posted and is not closed yet: a change that ends one has something to close.
    questions_open: bool = False
    # An exception to HR's rules asked with the terms being decided: HR approves them too.
    exception: ExceptionRecord | None = None

    @property
    def deciding_version(self) -> int:
        """The version the managers' buttons decide: the proposal's, while there is one."""
        return self.proposal.version if self.proposal else self.terms_version

    @property
    def end_decided(self) -> bool:
        """Whether what happens at the end is settled: a return confirmed, a permanent move
        agreed, or an early end."""
        return self.return_confirmed is not None or self.outcome is not None

    def side(self, side: Side) -> SideRecord:
        """One manager's side of it."""
        return self.home if side is Side.HOME else self.host

    @property
    def sides(self) -> tuple[SideRecord, SideRecord]:
        """Both sides, home first."""
        return (self.home, self.host)

    @property
    def parties(self) -> tuple[str, str, str]:
        """The employee and the two managers."""
        return (self.employee_id, self.home.manager_id, self.host.manager_id)

    @property
    def blocked_side(self) -> SideRecord | None:
        """The side that blocked, while one has."""
        return next((s for s in self.sides if s.state is SideState.BLOCKED), None)

    def role_of(self, user_id: str) -> str | None:
        """What this person is in the secondment ("employee", "host manager"); None if nothing."""
        if user_id == self.employee_id:
            return "employee"
        for side in self.sides:
            if user_id == side.manager_id:
                return side.side.role
            if user_id == side.delegate_id:
                return f"{side.side.role}'s delegate"
        return None

    def involves(self, user_id: str) -> bool:
        """Whether this person takes part in the secondment."""
        return self.role_of(user_id) is not None
