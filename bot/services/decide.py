"""A decider's first decision on their side of a request or an end-of-term proposal: approve,
or block with a reason (bot/domain/block_reasons.py). The move itself: bot/services/moves.py."""

from __future__ import annotations

from datetime import datetime

from bot.db import Sessions
from bot.domain.block_reasons import BlockDetails
from bot.domain.decisions import DecisionMade, DecisionRef, Move
from bot.domain.policy import Policy
from bot.domain.states import Outcome
from bot.services.moves import make_move
from bot.services.outbox import Announce


async def decide(
    sessions: Sessions,
    *,
    team_id: str,
    ref: DecisionRef,
    actor_id: str,
    outcome: Outcome,
    announce: Announce[DecisionMade],
    policy: Policy,
    now: datetime,
    block: BlockDetails | None = None,
    actor_is_hr: bool = False,
) -> DecisionMade:
    """A decider's first decision on their side: approve, or block with its reason.
    `actor_is_hr`: the actor is HR, who decides a side whose decider's account was
    deactivated."""
    assert (outcome is Outcome.BLOCKED) == (block is not None), "a block needs its reason"
    return await make_move(
        sessions,
        team_id,
        ref,
        actor_id,
        Move.DECIDE,
        outcome,
        announce,
        policy,
        now,
        block=block,
        actor_is_hr=actor_is_hr,
    )
