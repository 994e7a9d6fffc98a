"""The `Actor` a test hands a service: the person acting, with the workspace, policy and moment."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.actor import Actor
from bot.domain.policy import Policy

# The moment given to views that read none (a list, a record, a check before a form).
ANY_TIME = datetime(2026, 1, 1, tzinfo=UTC)


def as_actor(
    user: str,
    *,
    team: str,
    now: datetime = ANY_TIME,
    policy: Policy | None = None,
    is_hr: bool = False,
) -> Actor:
    """`user` acting in `team` at `now`, under `policy` (the default one unless given)."""
    return Actor(team, user, Policy() if policy is None else policy, now, is_hr)
