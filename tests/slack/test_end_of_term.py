"""The end-of-term decision, end to end: the question before the end, a confirmed return, an
extension or a permanent move that both managers decide like the request, and their refusals."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime
from typing import Any

import time_machine
from sqlalchemy import select

from bot.domain.states import Side
from bot.models import Decision, Nudge, TermsVersion
from bot.slack.ids import Action, Callback
from bot.slack_standin.recorded import Call
from tests.support import forms
from tests.support.flows import approve, approved, block, click_then_submit, ref, request_ref
from tests.support.harness import EMPLOYEE, HOME, HOST, OUTSIDER, Harness, Thread, blocks_of

START, END = date(2027, 2, 1), date(2027, 7, 30)  # a Monday and a Friday
LATER = date(2027, 10, 29)
ASKED = "What happens then"


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2027) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


async def thirty_days_out(bot: Harness, clock: time_machine.Traveller) -> Thread:
    """Under way, with the first end-of-term question sent: 30 June, 09:00 in London."""
    thread = await approved(bot, START, END)
    await bot.sweep(at(2, 1, 9))
    await bot.sweep(at(6, 30, 8))
    clock.move_to(at(6, 30, 10))
    return thread


def asks(bot: Harness, user: str, containing: str = ASKED) -> list[Call]:
    return [
        c
        for c in bot.slack.sent("chat.postMessage", channel=user)
        if containing in c.text and c.error is None
    ]


async def propose_extension(
    bot: Harness, user: str, thread: Thread, end: date | None, note: str | None = None
) -> str:
    return await click_then_submit(
        bot,
        user,
        Action.PROPOSE_EXTENSION,
        request_ref(thread),
        thread,
        Callback.PROPOSE_EXTENSION,
        forms.proposal_values(end, note),
    )


async def thread_reply(bot: Harness, thread: Thread, containing: str) -> Call:
    (reply,) = await bot.slack.wait_for(
        "chat.postMessage",
        where=lambda c: c.body.get("thread_ts") == thread.ts and containing in c.text,
    )
    return reply


async def waiting(bot: Harness) -> list[Nudge]:
    async with bot.sessions() as session:
        return list(
            await session.scalars(
                select(Nudge)
                .where(Nudge.sent_at.is_(None), Nudge.cancelled_at.is_(None))
                .order_by(Nudge.due_at, Nudge.id)
            )
        )


async def test_the_three_are_asked_30_and_7_days_before_the_end(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread = await approved(bot, START, END)
    await bot.sweep(at(2, 1, 9))
    await bot.sweep(at(6, 30, 7, 59))  # 08:59 in London: not yet
    assert [asks(bot, p) for p in (EMPLOYEE, HOME, HOST)] == [[], [], []]

    await bot.sweep(at(6, 30, 8))
    await bot.sweep(at(7, 23, 8))

    for person in (EMPLOYEE, HOME, HOST):
        first, second = asks(bot, person)
        assert "ends on Fri 30 Jul 2027" in first.text and "Still undecided" not in first.text
        assert second.text.startswith("🗓️ Still undecided")
        actions = {
            e["action_id"]
            for b in blocks_of(first)
            if b["type"] == "actions"
            for e in b["elements"]
        }
        assert {Action.CONFIRM_RETURN, Action.PROPOSE_EXTENSION, Action.PROPOSE_PERMANENT} <= (
            actions
        )
    assert thread.secondment_id == 1


async def test_a_short_secondment_is_asked_only_nearer_its_end(bot: Harness) -> None:
    await approved(bot, date(2027, 3, 1), date(2027, 3, 26))  # four weeks

    await bot.sweep(at(3, 1, 9))
    assert asks(bot, EMPLOYEE) == []
    await bot.sweep(at(3, 19, 9))

    # 30 days before the end is before the start, so only the ask 7 days before goes out: the
    # first anyone hears of it, so not "still undecided".
    (only,) = asks(bot, EMPLOYEE)
    assert "Still undecided" not in only.text and "ends on Fri 26 Mar 2027" in only.text


async def test_after_downtime_the_end_of_term_question_is_asked_once_as_a_first_ask(
    bot: Harness,
) -> None:
    await approved(bot, START, END)
    await bot.sweep(at(2, 1, 9))

    # Down from before the first ask (30 June) until after the second (23 July): one ask,
    # worded as the first anyone hears.
    await bot.sweep(at(7, 26, 9))
    await bot.sweep(at(7, 27, 9))
    for person in (EMPLOYEE, HOME, HOST):
        (only,) = asks(bot, person)
        assert "Still undecided" not in only.text and "ends on Fri 30 Jul 2027" in only.text


async def test_no_end_of_term_question_arrives_once_the_end_date_has_come(bot: Harness) -> None:
    await approved(bot, START, END)
    await bot.sweep(at(2, 1, 9))

    # Down through both asks and past the end date: the question is no longer true to ask.
    await bot.sweep(at(8, 2, 9))
    assert [asks(bot, p) for p in (EMPLOYEE, HOME, HOST)] == [[], [], []]
    async with bot.sessions() as session:
        skipped = (
            await session.scalars(select(Nudge.last_error).where(Nudge.kind == "end_decision"))
        ).all()
    assert skipped == ["no longer due"] * 6


async def test_confirming_the_return_tells_the_thread_and_stops_the_questions(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread = await thirty_days_out(bot, clock)
    where = asks_in_dms(bot)

    response, _ = await bot.click(HOST, Action.CONFIRM_RETURN, request_ref(thread), thread)
    reply = await thread_reply(bot, thread, "confirmed the return")
    _, again = await bot.click(EMPLOYEE, Action.CONFIRM_RETURN, request_ref(thread), thread)

    assert response.status == 200
    assert f"<@{HOST}> confirmed the return" in reply.text and "Fri 30 Jul 2027" in reply.text
    assert f"<@{HOST}> already confirmed the return" in (await bot.reply_to(again)).text
    parent = bot.updates(thread)[-1]
    assert f"return to the home role, confirmed by <@{HOST}>" in parent.blocks_text
    await bot.sweep(at(7, 23, 8))
    assert asks(bot, EMPLOYEE, "Still undecided") == []
    assert [e.action for e in await bot.audit(1)].count("return_confirmed") == 1
    # Each of the three asks now says the return was confirmed, with no buttons left.
    await bot.handled()
    assert len(where) == 3
    for message in as_they_stand(bot, where):
        assert f"<@{HOST}> confirmed the return" in message["text"]
        assert Action.CONFIRM_RETURN not in json.dumps(message["blocks"])


def asks_in_dms(bot: Harness) -> list[tuple[str, str]]:
    """Where the end-of-term asks are: (DM, ts) of each, as the bot posted them."""
    return [
        (channel, str(m["ts"]))
        for user in (EMPLOYEE, HOME, HOST)
        for channel in ["D" + user[1:]]
        for m in bot.slack.posted(channel)
        if ASKED in str(m["text"])
    ]


def as_they_stand(bot: Harness, where: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The messages at `where`, updates applied."""
    return [m for channel, ts in where for m in bot.slack.posted(channel) if m["ts"] == ts]


async def test_an_extension_is_decided_by_both_managers_then_moves_the_end(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread = await thirty_days_out(bot, clock)
    where = asks_in_dms(bot)

    answer = await propose_extension(bot, EMPLOYEE, thread, LATER, "The launch moved to October.")

    assert answer == ""
    reply = await thread_reply(bot, thread, "proposed an extension")
    assert f"<@{HOME}> and <@{HOST}>, please decide it" in reply.text
    assert "Fri 30 Jul 2027 → Fri 29 Oct 2027" in reply.blocks_text
    assert "The launch moved to October." in reply.blocks_text
    row = await bot.secondment(1)
    assert (row.status, row.terms_version, row.proposal_version) == ("proposal_pending", 1, 2)
    await bot.handled()  # the parent is re-drawn after the reply
    # The three asks say what was proposed, and where it is decided, in place of their buttons.
    for message in as_they_stand(bot, where):
        assert f"<@{EMPLOYEE}> proposed an extension" in message["text"]
        assert "decide it in the approval thread" in message["text"]
        assert Action.PROPOSE_EXTENSION not in json.dumps(message["blocks"])
    parent = bot.updates(thread)[-1]
    values = {
        e.get("value") for b in blocks_of(parent) if b["type"] == "actions" for e in b["elements"]
    }
    assert {"1:home:2", "1:host:2"} <= values
    assert "Approve with conditions" not in parent.blocks_text

    await approve(bot, HOME, thread, Side.HOME, version=2)
    await approve(bot, HOST, thread, Side.HOST, version=2)

    agreed = await thread_reply(bot, thread, "Both managers agreed the extension")
    assert "now ends on Fri 29 Oct 2027" in agreed.text
    row = await bot.secondment(1)
    assert (row.status, row.terms_version, row.proposal_version) == ("active", 2, None)
    assert [e.action for e in await bot.audit(1)].count("extension_agreed") == 1
    planned = await waiting(bot)
    debriefs = {n.due_at for n in planned if n.kind == "debrief_request"}
    assert debriefs == {at(10, 29, 8)}  # 09:00 in London, still on summer time
    assert {n.sequence for n in planned if n.kind == "end_decision"} == {21, 22}
    assert any(n.kind == "check_in" and n.due_at > at(8, 1, 0) for n in planned)
    # The question about the old end date is not asked again.
    await bot.sweep(at(7, 23, 8))
    assert asks(bot, EMPLOYEE, "Still undecided") == []


async def test_a_managers_proposal_is_their_approval_and_a_block_keeps_the_terms(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread = await thirty_days_out(bot, clock)
    assert await propose_extension(bot, HOST, thread, LATER) == ""
    await thread_reply(bot, thread, "proposed an extension")

    await block(
        bot,
        HOME,
        thread,
        Side.HOME,
        version=2,
        explanation="We need Sam back for the year-end close in August.",
    )

    row = await bot.secondment(1)
    assert (row.status, row.host_state, row.home_state) == (
        "proposal_blocked",
        "approved",
        "blocked",
    )
    async with bot.sessions() as session:
        kinds = [(d.side, d.kind, d.terms_version) for d in await session.scalars(select(Decision))]
    assert ("host", "proposed", 2) in kinds and ("home", "decided", 2) in kinds
    blocked = await thread_reply(bot, thread, "blocked the *home manager* side")
    assert "year-end close" in blocked.blocks_text
    await bot.handled()  # the parent is re-drawn after the reply
    parent = bot.updates(thread)[-1]
    assert "Approve now" in parent.blocks_text and "on hold" not in parent.blocks_text
    assert "Ask HR to review" in parent.blocks_text
    # The terms in force stand: the debrief is still on the old end date.
    assert {n.due_at for n in await waiting(bot) if n.kind == "debrief_request"} == {at(7, 30, 8)}

    # The employee settles it: the planned return, which closes the blocked proposal.
    await bot.click(EMPLOYEE, Action.CONFIRM_RETURN, request_ref(thread), thread)

    reply = await thread_reply(bot, thread, "confirmed the return")
    assert "closes the proposal of an extension" in reply.text
    row = await bot.secondment(1)
    assert (row.status, row.terms_version, row.proposal_version) == ("active", 1, None)
    assert (row.home_state, row.home_decided_by, row.host_decided_by) == ("approved", HOME, HOST)


async def test_reconsidering_a_blocked_extension_agrees_it(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread = await thirty_days_out(bot, clock)
    await propose_extension(bot, HOME, thread, LATER)
    await block(bot, HOST, thread, Side.HOST, version=2)

    await bot.click(HOST, Action.RECONSIDER, ref(thread, Side.HOST, 2), thread)

    await thread_reply(bot, thread, "Both managers agreed the extension")
    row = await bot.secondment(1)
    assert (row.status, row.terms_version) == ("active", 2)


async def test_a_permanent_move_needs_its_arrangement_and_both_managers(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread = await thirty_days_out(bot, clock)

    async def permanent(user: str, note: str | None) -> str:
        return await click_then_submit(
            bot,
            user,
            Action.PROPOSE_PERMANENT,
            request_ref(thread),
            thread,
            Callback.PROPOSE_PERMANENT,
            forms.proposal_values(None, note),
        )

    empty = await permanent(EMPLOYEE, None)
    answer = await permanent(EMPLOYEE, "Analyst II in Data, same pay band, reporting to Ana.")
    await approve(bot, HOME, thread, Side.HOME, version=2)
    await approve(bot, HOST, thread, Side.HOST, version=2)

    assert "note" in json.loads(str(empty))["errors"]
    assert answer == ""
    agreed = await thread_reply(bot, thread, "moves permanently")
    assert "transition debrief still happens" in agreed.text
    row = await bot.secondment(1)
    assert (row.status, row.outcome, row.terms_version) == ("active", "permanent", 2)
    async with bot.sessions() as session:
        version = await session.scalar(select(TermsVersion).where(TermsVersion.version == 2))
    assert version is not None and version.return_arrangement == "permanent_move"
    assert version.end_date == END
    assert [e.action for e in await bot.audit(1)].count("permanent_move_agreed") == 1
    # Settled: no more questions, and the transition debrief stays on the end date.
    kinds = {n.kind for n in await waiting(bot)}
    assert "end_decision" not in kinds and "debrief_request" in kinds
    _, settled = await bot.click(HOST, Action.PROPOSE_EXTENSION, request_ref(thread, 2), thread)
    assert "already settled: moved permanently" in (await bot.reply_to(settled)).text


async def test_an_extension_past_the_return_rights_months_carries_the_policy_note(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread = await thirty_days_out(bot, clock)
    await bot.click(EMPLOYEE, Action.PROPOSE_EXTENSION, request_ref(thread), thread)
    modal = await bot.opened_modal(Callback.PROPOSE_EXTENSION)

    assert "on or after Mon 31 Jan 2028" in json.dumps(modal.body["view"])
    assert await propose_extension(bot, EMPLOYEE, thread, date(2028, 3, 31)) == ""
    reply = await thread_reply(bot, thread, "proposed an extension")
    assert "After 12 months away there may be no automatic right" in reply.blocks_text


async def test_proposals_are_refused_when_they_cannot_be_made(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread = await thirty_days_out(bot, clock)

    too_soon = await propose_extension(bot, EMPLOYEE, thread, END)
    _, stranger = await bot.click(OUTSIDER, Action.PROPOSE_EXTENSION, request_ref(thread), thread)
    await propose_extension(bot, EMPLOYEE, thread, LATER)
    _, second = await bot.click(HOME, Action.PROPOSE_PERMANENT, request_ref(thread), thread)
    _, return_by_other = await bot.click(HOST, Action.CONFIRM_RETURN, request_ref(thread), thread)
    _, debrief = await bot.click(EMPLOYEE, Action.RECORD_DEBRIEF, request_ref(thread), thread)

    assert "after the current end date" in json.loads(too_soon)["errors"]["end_date"]
    assert "can't find secondment #1" in (await bot.reply_to(stranger)).text
    for refused in (second, return_by_other, debrief):
        text = (await bot.reply_to(refused)).text
        assert f"<@{EMPLOYEE}> proposed an extension" in text, text
    assert (await bot.secondment(1)).proposal_version == 2


async def test_ending_early_closes_a_proposal_being_decided(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread = await thirty_days_out(bot, clock)
    await propose_extension(bot, EMPLOYEE, thread, LATER)

    answer = await click_then_submit(
        bot,
        HOME,
        Action.END_EARLY,
        request_ref(thread),
        thread,
        Callback.END_EARLY,
        forms.early_end_values("The host team is being wound up.", "1"),
    )

    assert answer == ""
    row = await bot.secondment(1)
    assert (row.status, row.outcome, row.proposal_version, row.terms_version) == (
        "active",
        "ended_early",
        None,
        3,
    )
    async with bot.sessions() as session:
        ends = [v.end_date for v in await session.scalars(select(TermsVersion))]
    assert ends == [END, LATER, date(2027, 7, 7)]
    assert {n.kind for n in await waiting(bot)} >= {"debrief_request"}
    assert not [n for n in await waiting(bot) if n.kind.startswith("decision_")]


async def test_both_managers_agreeing_at_once_agree_it_once(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread = await thirty_days_out(bot, clock)
    await propose_extension(bot, EMPLOYEE, thread, LATER)
    await thread_reply(bot, thread, "proposed an extension")

    await asyncio.gather(
        approve(bot, HOME, thread, Side.HOME, version=2),
        approve(bot, HOST, thread, Side.HOST, version=2),
        approve(bot, HOST, thread, Side.HOST, version=2),  # a double click
    )

    await thread_reply(bot, thread, "Both managers agreed the extension")
    row = await bot.secondment(1)
    assert (row.status, row.terms_version) == ("active", 2)
    assert [e.action for e in await bot.audit(1)].count("extension_agreed") == 1
    async with bot.sessions() as session:
        on_v2 = [d for d in await session.scalars(select(Decision)) if d.terms_version == 2]
    assert sorted(d.side for d in on_v2) == ["home", "host"]
