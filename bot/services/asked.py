"""What a person has already been asked, for words that must be true when they arrive: an
end-of-term question says "still undecided" only to someone asked before."""

from __future__ import annotations

from sqlalchemy import exists, select

from bot.db import Sessions
from bot.domain.followups import NudgeKind
from bot.domain.lifecycle import end_decision_ask, end_decision_sequence
from bot.models import Nudge


async def asked_about_the_end_before(
    sessions: Sessions, secondment_id: int, recipient_id: str, sequence: int
) -> bool:
    """Whether an earlier end-of-term ask than `sequence`, about the same terms, reached
    `recipient_id` (one skipped while the bot was down did not)."""
    version, ask = end_decision_ask(sequence)
    earlier = [end_decision_sequence(version, n) for n in range(1, ask)]
    if not earlier:
        return False
    async with sessions() as session:
        return bool(
            await session.scalar(
                select(
                    exists().where(
                        Nudge.secondment_id == secondment_id,
                        Nudge.kind == NudgeKind.END_DECISION,
                        Nudge.recipient_id == recipient_id,
                        Nudge.sequence.in_(earlier),
                        Nudge.sent_at.is_not(None),
                    )
                )
            )
        )
