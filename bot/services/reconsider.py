"""Lifting a block: its own decider reconsiders and approves the same terms, or HR overrides it
with a recorded justification where the policy allows. Either starts a new wait for the other
side's decision. The move itself: bot/services/moves.py."""

from __future__ import annotations

from bot.db import Sessions
from bot.domain.actor import Actor
from bot.domain.decisions import DecisionMade, DecisionRef, Move
from bot.domain.errors import InvalidInput
from bot.domain.states import Outcome
from bot.services.moves import make_move
from bot.services.outbox import Announce


async def reconsider(
    sessions: Sessions, *, actor: Actor, ref: DecisionRef, announce: Announce[DecisionMade]
) -> DecisionMade:
    """The side's decider lifts their block and approves the same terms."""
    return await make_move(sessions, actor, ref, Move.RECONSIDER, Outcome.APPROVED, announce)


async def override(
    sessions: Sessions,
    *,
    actor: Actor,
    ref: DecisionRef,
    justification: str,
    announce: Announce[DecisionMade],
) -> DecisionMade:
    """HR lifts a block, with a recorded justification, where the policy allows it."""
    justification = justification.strip()
    if len(justification) < actor.policy.block_reason_min_chars:
        raise InvalidInput(
            {
                "text": f"Justify the override in at least "
                f"{actor.policy.block_reason_min_chars} characters."
            }
        )
    return await make_move(
        sessions, actor, ref, Move.OVERRIDE, Outcome.APPROVED, announce, justification=justification
    )
