"""What a Slack request's changes say is written already claimed for that request to deliver
(bot/services/outbox.py `claiming`), except what must wait for the usual claim: a thread's
message behind one still waiting there, or anything in a paused workspace. Whatever the request
leaves, the sweep takes once the lease runs out."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import Sessions, make_sessions
from bot.domain.kinds import Destination, NudgeKind
from bot.domain.people import Person
from bot.domain.policy import Policy
from bot.models import Nudge, Secondment
from bot.services.loading import load_secondment
from bot.services.outbox import LEASE, Outgoing, claimed_here, claiming, write_outbox
from bot.services.pauses import pause_in
from bot.services.requests import NewRequest, create_request
from bot.services.sweep import claim_due
from bot.slack.listeners.claims import said_here
from tests.support.outbox import thread_opened
from tests.support.samples import TERMS
from tests.support.seeds import counting

POLICY = Policy()
NOW = datetime(2027, 1, 4, 10, tzinfo=UTC)  # a Monday
SECOND = timedelta(seconds=1)
PEOPLE = (Person("UEMP"), Person("UHOME"), Person("UHOST"))
REPLY = Outgoing(NudgeKind.MESSAGE, Destination.THREAD, payload={"text": "approved"})
NOTE = Outgoing(NudgeKind.MESSAGE, Destination.THREAD, payload={"text": "a note"})
DM = Outgoing(NudgeKind.MESSAGE, Destination.PERSON, "UEMP", {"text": "your request"})


@pytest.fixture
def sessions(engine: AsyncEngine) -> Sessions:
    return make_sessions(engine)


async def opened_request(sessions: Sessions) -> int:
    request = NewRequest("req", "T1", "UEMP", "UHOME", "UHOST", TERMS, people=PEOPLE)
    record = (await create_request(sessions, request, policy=POLICY, now=NOW)).record
    await thread_opened(sessions, record.id)
    return record.id


async def say(sessions: Sessions, secondment_id: int, *outgoing: Outgoing) -> None:
    async with sessions.begin() as session:
        await write_outbox(session, secondment_id, outgoing, NOW)


async def said_rows(sessions: Sessions, secondment_id: int) -> list[Nudge]:
    async with sessions() as session:
        return list(
            await session.scalars(
                select(Nudge)
                .where(Nudge.secondment_id == secondment_id, Nudge.kind == NudgeKind.MESSAGE)
                .order_by(Nudge.id)
            )
        )


async def test_a_changes_messages_are_claimed_as_written_and_the_sweep_leaves_them(
    sessions: Sessions,
) -> None:
    secondment = await opened_request(sessions)

    with claiming() as claims:
        await say(sessions, secondment, REPLY, NOTE, DM)

    rows = await said_rows(sessions, secondment)
    # All three, the second reply too: a change's own replies never wait behind each other.
    assert [r.claim_token for r in rows] == [claims.token] * 3
    assert {r.claimed_until for r in rows} == {NOW + LEASE}
    assert all(r.maybe_sent for r in rows)  # a claim that lapses makes the next ask Slack first
    born, held_back = claims.take(secondment)
    assert [(b.nudge_id, b.sequence, b.outgoing) for b in born] == [
        (rows[0].id, 0, REPLY),
        (rows[1].id, 1, NOTE),
        (rows[2].id, 2, DM),
    ]
    assert not held_back
    assert claims.take(secondment) == ([], False)
    assert await claim_due(sessions, now=NOW + SECOND, policy=POLICY) == []
    # Left unsent (the request failed before delivering), they go to the sweep after the lease.
    later = await claim_due(sessions, now=NOW + LEASE + SECOND, policy=POLICY)
    assert {d.nudge_id for d in later} == {r.id for r in rows}
    assert all(d.maybe_sent for d in later)


async def test_a_reply_behind_one_still_waiting_is_left_for_the_usual_claim(
    sessions: Sessions,
) -> None:
    secondment = await opened_request(sessions)
    await say(sessions, secondment, REPLY)  # an earlier change's reply, not yet sent

    with claiming() as claims:
        await say(sessions, secondment, NOTE, DM)

    earlier, note, dm = await said_rows(sessions, secondment)
    assert (earlier.claim_token, note.claim_token, note.maybe_sent) == (None, None, False)
    assert dm.claim_token == claims.token  # a direct message keeps no thread's order
    born, held_back = claims.take(secondment)
    assert [b.nudge_id for b in born] == [dm.id]
    assert held_back
    # The usual claim takes the reply with the one before it, in order.
    claimed = await claim_due(sessions, now=NOW + SECOND, policy=POLICY)
    assert [d.nudge_id for d in claimed] == [earlier.id, note.id]


async def test_nothing_is_claimed_as_written_in_a_paused_workspace(sessions: Sessions) -> None:
    secondment = await opened_request(sessions)
    async with sessions.begin() as session:
        await pause_in(session, team_id="T1", reason="token_revoked", now=NOW)

    with claiming() as claims:
        await say(sessions, secondment, REPLY, DM)

    assert [r.claim_token for r in await said_rows(sessions, secondment)] == [None, None]
    assert claims.take(secondment) == ([], True)


async def test_outside_a_slack_request_nothing_is_claimed_as_written(sessions: Sessions) -> None:
    secondment = await opened_request(sessions)

    await say(sessions, secondment, REPLY, DM)

    rows = await said_rows(sessions, secondment)
    assert [(r.claim_token, r.claimed_until) for r in rows] == [(None, None), (None, None)]
    claimed = await claim_due(sessions, now=NOW + SECOND, policy=POLICY)
    assert [d.nudge_id for d in claimed] == [r.id for r in rows]


async def test_a_listener_that_leaves_its_claimed_messages_unsent_says_so(
    sessions: Sessions, caplog: pytest.LogCaptureFixture
) -> None:
    secondment = await opened_request(sessions)

    with caplog.at_level(logging.ERROR), said_here():
        await say(sessions, secondment, DM)
    (row,) = await said_rows(sessions, secondment)

    assert f"left unsent: nudges {row.id}" in caplog.text


async def test_a_listener_that_delivers_what_it_claimed_logs_nothing(
    sessions: Sessions, caplog: pytest.LogCaptureFixture
) -> None:
    secondment = await opened_request(sessions)

    with caplog.at_level(logging.ERROR), said_here():
        await say(sessions, secondment, DM)
        here = claimed_here()
        assert here is not None
        (taken,), _ = here.take(secondment)  # as `deliver_now` takes it

    assert taken.outgoing == DM
    assert caplog.text == ""
    assert claimed_here() is None  # the claims end with the listener


async def test_a_change_that_read_its_secondment_is_not_asked_again_what_its_messages_wait_for(
    sessions: Sessions, engine: AsyncEngine
) -> None:
    # The one query that reads the secondment for a change also says whether its messages must
    # wait; write_outbox takes that answer instead of asking again, and the answer holds. (Only
    # whether a DM's recipient is away is asked then: who the DMs go to is known only there.)
    secondment = await opened_request(sessions)
    await say(sessions, secondment, REPLY)  # an earlier change's reply, not yet sent

    with claiming() as claims, counting(engine) as statements:
        async with sessions.begin() as session:
            await load_secondment(session, Secondment.id == secondment)
            read = len(statements)
            await write_outbox(session, secondment, [NOTE, DM], NOW)

    # Whether the DM's recipient is away (it would wait for the sweep), and the insert.
    assert len([s for s in statements[read:] if "BEGIN" not in s]) == 2
    earlier, note, dm = await said_rows(sessions, secondment)
    assert (earlier.claim_token, note.claim_token, dm.claim_token) == (None, None, claims.token)
    assert claims.take(secondment)[1]  # the note held back behind the earlier reply
