"""Lifting a block: its own decider reconsiders and approves the same terms, or HR overrides it
with a recorded justification where the policy allows. Either starts a new wait for the other
side's decision. The move itself: bot/services/moves.py."""

from __future__ import annotations

from datetime import datetime

from bot.db import Sessions
from bot.domain.decisions import DecisionMade, DecisionRef, Move
from bot.domain.errors import InvalidInput
from bot.domain.policy import Policy
from bot.domain.states import Outcome
from bot.services.moves import make_move
from bot.services.outbox import Announce


async def reconsider(
    sessions: Sessions,
    *,
    team_id: str,
    ref: DecisionRef,
    actor_id: str,
    announce: Announce[DecisionMade],
    policy: Policy,
    now: datetime,
) -> DecisionMade:
    """The side's decider lifts their block and approves the same terms."""
    return await make_move(
        sessions, team_id, ref, actor_id, Move.RECONSIDER, Outcome.APPROVED, announce, policy, now
    )


async def override(
    sessions: Sessions,
    *,
    team_id: str,
    ref: DecisionRef,
    actor_id: str,
    justification: str,
    actor_is_hr: bool,
    announce: Announce[DecisionMade],
    policy: Policy,
    now: datetime,
) -> DecisionMade:
    """HR lifts a block, with a recorded justification, where the policy allows it."""
    justification = justification.strip()
    if len(justification) < policy.block_reason_min_chars:
        raise InvalidInput(
            {
                "text": f"Justify the override in at least "
                f"{policy.block_reason_min_chars} characters."
            }
        )
    return await make_move(
        sessions,
        team_id,
        ref,
        actor_id,
        Move.OVERRIDE,
        Outcome.APPROVED,
        announce,
        policy,
        now,
        justification=justification,
        actor_is_hr=actor_is_hr,
    )
