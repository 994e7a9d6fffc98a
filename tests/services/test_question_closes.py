"""A close of questions (NudgeKind.QUESTIONS_CLOSED) is pinned, in the change's own transaction,
to the messages open at that moment (bot/services/outbox.py): however late it is delivered, it
never reaches a question asked after it, and a later close never takes back its words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import Sessions, make_sessions
from bot.domain.kinds import NudgeKind
from bot.domain.people import Person
from bot.domain.policy import Policy
from bot.domain.states import Side
from bot.models import Nudge, Secondment
from bot.services.outbox import Outgoing, write_outbox
from bot.services.requests import NewRequest, create_request
from tests.support.outbox import thread_opened
from tests.support.rows import rows
from tests.support.samples import TERMS

POLICY = Policy()
NOW = datetime(2027, 1, 4, 10, tzinfo=UTC)
PEOPLE = (Person("UEMP"), Person("UHOME"), Person("UHOST"))
MESSAGE = {"text": "You approved it.", "blocks": []}


@pytest.fixture
def sessions(engine: AsyncEngine) -> Sessions:
    return make_sessions(engine)


async def reminders(sessions: Sessions) -> dict[tuple[Side | None, int], int]:
    """A new request's decision reminders: (side, sequence) -> id."""
    request = NewRequest("req", "T1", "UEMP", "UHOME", "UHOST", TERMS, people=PEOPLE)
    record = (await create_request(sessions, request, policy=POLICY, now=NOW)).record
    await thread_opened(sessions, record.id)
    found = await rows(sessions, Nudge, Nudge.kind == NudgeKind.DECISION_REMINDER)
    return {(n.side, n.sequence): n.id for n in found}


async def posted(sessions: Sessions, nudge_id: int, ts: str) -> None:
    """The reminder went out, and its message is at `ts` in the manager's DM."""
    async with sessions.begin() as session:
        await session.execute(
            update(Nudge)
            .where(Nudge.id == nudge_id)
            .values(sent_at=NOW, posted_channel="D0HOME", posted_ts=ts)
        )


async def close(sessions: Sessions, side: Side) -> None:
    payload = {
        "kinds": [NudgeKind.DECISION_REMINDER],
        "sequence": None,
        "side": side,
        "message": MESSAGE,
    }
    (secondment,) = await rows(sessions, Secondment)
    said = [Outgoing(NudgeKind.QUESTIONS_CLOSED, payload=payload)]
    async with sessions.begin() as session:
        await write_outbox(session, secondment.id, said, NOW)


async def closes(sessions: Sessions) -> list[object]:
    written = await rows(sessions, Nudge, Nudge.kind == NudgeKind.QUESTIONS_CLOSED)
    return [n.payload for n in sorted(written, key=lambda n: n.id)]


async def test_a_close_names_only_the_questions_open_when_it_was_written(
    sessions: Sessions,
) -> None:
    ids = await reminders(sessions)
    await posted(sessions, ids[(Side.HOME, 1)], "1.000100")
    await posted(sessions, ids[(Side.HOST, 1)], "1.000200")  # another side: not this close's

    await close(sessions, Side.HOME)
    # Asked after the close was written, and before it is delivered.
    await posted(sessions, ids[(Side.HOME, 2)], "1.000300")

    assert await closes(sessions) == [{"message": MESSAGE, "questions": [["D0HOME", "1.000100"]]}]


async def test_a_later_close_leaves_the_words_of_an_earlier_one(sessions: Sessions) -> None:
    ids = await reminders(sessions)
    await posted(sessions, ids[(Side.HOME, 1)], "1.000100")
    await close(sessions, Side.HOME)
    await posted(sessions, ids[(Side.HOME, 2)], "1.000300")

    await close(sessions, Side.HOME)

    assert await closes(sessions) == [
        {"message": MESSAGE, "questions": [["D0HOME", "1.000100"]]},
        {"message": MESSAGE, "questions": [["D0HOME", "1.000300"]]},
    ]


async def test_a_close_with_nothing_open_is_not_written(sessions: Sessions) -> None:
    await reminders(sessions)

    await close(sessions, Side.HOME)

    assert await closes(sessions) == []
