"""What a person has already been asked: for words that must be true when they arrive (an
end-of-term question says "still undecided" only to someone asked before), and for closing the
questions that no longer apply."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Sessions
from bot.domain.kinds import NudgeKind, Posted
from bot.domain.states import Side
from bot.domain.underway_plan import end_decision_ask, end_decision_sequence
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


async def take_posted(
    session: AsyncSession,
    secondment_id: int,
    kinds: Sequence[NudgeKind],
    sequence: int | None = None,
    side: Side | None = None,
) -> list[Posted]:
    """Where the questions of `kinds` (of one check-in, with `sequence`; to one side's decider,
    with `side`) that were posted and not yet closed are, in the caller's transaction: the
    change closing them. They are forgotten at once, so a later close leaves alone the words
    this one puts in their place."""
    which = (
        Nudge.secondment_id == secondment_id,
        Nudge.kind.in_(kinds),
        Nudge.posted_ts.is_not(None),
        *(() if sequence is None else (Nudge.sequence == sequence,)),
        *(() if side is None else (Nudge.side == side,)),
    )
    rows = (
        await session.execute(select(Nudge.id, Nudge.posted_channel, Nudge.posted_ts).where(*which))
    ).all()
    if rows:
        await session.execute(
            update(Nudge)
            .where(Nudge.id.in_([id_ for id_, _, _ in rows]))
            .values(posted_channel=None, posted_ts=None)
        )
    return [Posted(str(channel), str(ts)) for _, channel, ts in rows]


async def pinned_close(
    session: AsyncSession, secondment_id: int, close: dict[str, Any]
) -> dict[str, Any] | None:
    """A close of questions (its payload names the kinds, and the check-in or side, it
    closes) pinned to the messages it is to update: taken, and forgotten, in the caller's
    transaction. None when no question is open."""
    side = close["side"]
    questions = await take_posted(
        session,
        secondment_id,
        [NudgeKind(kind) for kind in close["kinds"]],
        close["sequence"],
        Side(side) if side else None,
    )
    if not questions:
        return None
    return {"message": close["message"], "questions": [[q.channel, q.ts] for q in questions]}


async def pin_unpinned_close(
    sessions: Sessions, nudge_id: int, secondment_id: int, close: dict[str, Any]
) -> list[list[str]]:
    """A close written before closes were pinned by their change: pinned now, and stored so,
    so that a retry updates the same messages. Returns where they are."""
    async with sessions.begin() as session:
        pinned = await pinned_close(session, secondment_id, close)
        await session.execute(update(Nudge).where(Nudge.id == nudge_id).values(payload=pinned))
    return [] if pinned is None else list(pinned["questions"])
