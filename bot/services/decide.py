"""A decider's first decision on their side of a request or an end-of-term proposal: approve,
or block with a reason (bot/domain/block_reasons.py). The move itself: bot/services/moves.py."""

from __future__ import annotations

from bot.db import Sessions
from bot.domain.actor import Actor
from bot.domain.block_reasons import BlockDetails
from bot.domain.decisions import DecisionMade, DecisionRef, Move
from bot.domain.states import Outcome
from bot.services.moves import make_move
from bot.services.outbox import Announce


async def decide(
    sessions: Sessions,
    *,
    actor: Actor,
    ref: DecisionRef,
    outcome: Outcome,
    announce: Announce[DecisionMade],
    block: BlockDetails | None = None,
) -> DecisionMade:
    """A decider's first decision on their side: approve, or block with its reason. An actor
    who is HR decides a side whose decider's account was deactivated."""
    assert (outcome is Outcome.BLOCKED) == (block is not None), "a block needs its reason"
    return await make_move(sessions, actor, ref, Move.DECIDE, outcome, announce, block=block)
