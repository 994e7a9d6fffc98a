"""What a person has already been asked: for words that must be true when they arrive (an
end-of-term question says "still undecided" only to someone asked before), and for closing the
questions that no longer apply."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, select, update

from bot.db import Sessions
from bot.domain.followups import NudgeKind, Posted
from bot.domain.lifecycle import end_decision_ask, end_decision_sequence
from bot.domain.states import Side
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


async def posted_questions(
    sessions: Sessions,
    secondment_id: int,
    kinds: Sequence[NudgeKind],
    sequence: int | None = None,
    side: Side | None = None,
) -> list[tuple[int, Posted]]:
    """The questions of `kinds` (of one check-in, with `sequence`; to one side's decider, with
    `side`) that were posted and not yet closed: each nudge's id and where its message is."""
    async with sessions() as session:
        rows = await session.execute(
            select(Nudge.id, Nudge.posted_channel, Nudge.posted_ts).where(
                Nudge.secondment_id == secondment_id,
                Nudge.kind.in_(kinds),
                Nudge.posted_ts.is_not(None),
                *(() if sequence is None else (Nudge.sequence == sequence,)),
                *(() if side is None else (Nudge.side == side,)),
            )
        )
        return [(id_, Posted(str(channel), str(ts))) for id_, channel, ts in rows.all()]


async def forget_posted(sessions: Sessions, nudge_ids: Sequence[int]) -> None:
    """Closed: these questions' messages say what happened, and are not updated again."""
    if not nudge_ids:
        return
    async with sessions.begin() as session:
        await session.execute(
            update(Nudge).where(Nudge.id.in_(nudge_ids)).values(posted_channel=None, posted_ts=None)
        )
