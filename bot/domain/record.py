"""A secondment as the rest of the bot reads it: one immutable snapshot, loaded once per action
and rendered by the builders without another query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.blocks import BlockDetails
from bot.domain.states import Side, SideState, Status
from bot.domain.terms import Terms


@dataclass(frozen=True, slots=True)
class SideRecord:
    side: Side
    manager_id: str
    state: SideState
    decided_by: str | None
    decided_at: datetime | None
    block: BlockDetails | None


@dataclass(frozen=True, slots=True)
class SecondmentRecord:
    id: int
    team_id: str
    employee_id: str
    status: Status
    terms_version: int
    terms: Terms
    home: SideRecord
    host: SideRecord
    notes: tuple[str, ...]
    channel_id: str | None
    thread_ts: str | None
    thread_url: str | None
    created_at: datetime

    def side(self, side: Side) -> SideRecord:
        return self.home if side is Side.HOME else self.host

    @property
    def parties(self) -> tuple[str, str, str]:
        return (self.employee_id, self.home.manager_id, self.host.manager_id)

    def role_of(self, user_id: str) -> str | None:
        if user_id == self.employee_id:
            return "employee"
        if user_id == self.home.manager_id:
            return "home manager"
        if user_id == self.host.manager_id:
            return "host manager"
        return None
