"""The person a change or a view is made by, in the terms the services check it against."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.policy import Policy


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, in which workspace, under which policy, at what moment, and whether as HR."""

    team_id: str
    user_id: str
    policy: Policy
    now: datetime
    is_hr: bool = False
