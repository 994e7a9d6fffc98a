"""After a block, end to end: the blocking manager reconsiders or approves with conditions, the
other side responds, HR is asked to review and can add a note or override. Every path through
signed requests, every message through the Slack stand-in."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select

from bot.domain.states import Side
from bot.models import Escalation, Note
from bot.slack.ids import Action, Callback
from bot.slack_standin.recorded import Call
from tests.support import forms
from tests.support.flows import (
    approve,
    blocked,
    click_then_submit,
    decisions,
    ref,
    request_ref,
)
from tests.support.harness import EMPLOYEE, HOME, HOST, OUTSIDER, Harness, Thread, buttons_in

START, END = date(2027, 2, 1), date(2027, 7, 30)
HR = "U0HRPERSON"
HR_CHANNEL = "C0HRDESK"


def replies_with(bot: Harness, thread: Thread, text: str) -> list[str]:
    return [
        c.blocks_text or c.text
        for c in bot.thread_replies(thread)
        if text in (c.blocks_text + c.text)
    ]


async def test_the_blocking_manager_reconsiders_and_the_other_side_is_asked(bot: Harness) -> None:
    thread = await blocked(bot, START, END)

    response, _ = await bot.click(HOME, Action.RECONSIDER, ref(thread, Side.HOME), thread)

    assert response.status == 200
    await bot.slack.wait_for("chat.update", 2)
    (reply,) = replies_with(bot, thread, "reconsidered and lifted the block")
    assert f"Waiting for <@{HOST}>" in reply
    row = await bot.secondment(thread.secondment_id)
    assert (row.status, row.home_state, row.host_state, row.round) == (
        "pending",
        "approved",
        "pending",
        2,
    )
    parent = bot.updates(thread)[-1]
    assert [b["value"] for b in buttons_in(parent)] == ["1:host:1", "1:host:1"]
    assert "approved after reconsidering" in parent.blocks_text
    kinds = [d.kind for d in await decisions(bot)]
    assert kinds == ["decided", "reconsidered"]


async def test_only_the_blocker_can_reconsider(bot: Harness) -> None:
    thread = await blocked(bot, START, END)

    _, by_host = await bot.click(HOST, Action.RECONSIDER, ref(thread, Side.HOME), thread)
    _, wrong_side = await bot.click(HOST, Action.RECONSIDER, ref(thread, Side.HOST), thread)

    assert f"Only <@{HOME}> can decide the home manager side" in (await bot.reply_to(by_host)).text
    assert "host manager side is not blocked" in (await bot.reply_to(wrong_side)).text
    assert (await bot.secondment(thread.secondment_id)).status == "blocked"


async def test_approving_with_conditions_makes_a_new_version_for_the_other_side(
    bot: Harness,
) -> None:
    thread = await blocked(bot, START, END)

    answer = await click_then_submit(
        bot,
        HOME,
        Action.CONDITIONS,
        ref(thread, Side.HOME),
        thread,
        Callback.CONDITIONS,
        forms.conditions_values(
            start=date(2027, 3, 1), handover="4", note="After the on-call handover."
        ),
    )

    assert answer == ""
    await bot.slack.wait_for("chat.update", 2)
    (change,) = replies_with(bot, thread, "approved with conditions")
    for expected in (
        "version 2",
        "*Start date*: Mon 1 Feb 2027 → Mon 1 Mar 2027",
        "*Handover period*: 2 weeks → 4 weeks",
        "After the on-call handover.",
        "Decisions on version 1 no longer count",
        f"<@{HOST}>, please decide",
    ):
        assert expected in change, expected
    row = await bot.secondment(thread.secondment_id)
    assert (row.terms_version, row.status, row.home_state, row.host_state) == (
        2,
        "pending",
        "approved",
        "pending",
    )
    assert [b["value"] for b in buttons_in(bot.updates(thread)[-1])] == ["1:host:2"] * 2

    stale = await approve(bot, HOST, thread, Side.HOST, version=1)
    assert "you saw version 1; the current one is 2" in (await bot.reply_to(stale)).text
    await approve(bot, HOST, thread, Side.HOST, version=2)
    await bot.slack.wait_for(
        "chat.postMessage", where=lambda c: "Both managers have approved" in c.text
    )
    assert (await bot.secondment(thread.secondment_id)).status == "approved"


async def test_conditions_that_change_nothing_are_answered_in_the_modal(bot: Harness) -> None:
    thread = await blocked(bot, START, END)

    answer = await click_then_submit(
        bot,
        HOME,
        Action.CONDITIONS,
        ref(thread, Side.HOME),
        thread,
        Callback.CONDITIONS,
        forms.conditions_values(start=date(2027, 1, 15)),
    )

    errors = json.loads(answer)["errors"]
    assert "after the current start date" in errors["start_date"]
    assert (await bot.secondment(thread.secondment_id)).terms_version == 1


async def test_the_other_side_responds_to_the_block_in_the_thread(bot: Harness) -> None:
    thread = await blocked(bot, START, END)

    answer = await click_then_submit(
        bot,
        HOST,
        Action.RESPOND,
        request_ref(thread),
        thread,
        Callback.RESPOND,
        forms.text_values("We can start in March and fund a contractor for the rota."),
    )

    assert answer == ""
    (reply,) = await bot.slack.wait_for(
        "chat.postMessage", where=lambda c: "responded to the block" in c.text
    )
    assert "fund a contractor" in reply.text and reply.body["thread_ts"] == thread.ts
    async with bot.sessions() as session:
        (note,) = (await session.scalars(select(Note))).all()
    assert (note.kind, note.author_id) == ("response", HOST)


async def test_only_the_other_sides_decider_may_respond(bot: Harness) -> None:
    thread = await blocked(bot, START, END)

    _, reply_name = await bot.click(EMPLOYEE, Action.RESPOND, request_ref(thread), thread)

    assert f"Only <@{HOST}> can respond to the block" in (await bot.reply_to(reply_name)).text
    assert not [
        c for c in bot.slack.sent("views.open") if c.body["view"]["callback_id"] == Callback.RESPOND
    ]


@pytest.mark.settings(hr_channel=HR_CHANNEL, hr_users=HR)
async def test_asking_hr_posts_a_summary_to_hr_and_says_so_in_the_thread(bot: Harness) -> None:
    thread = await blocked(bot, START, END)

    answer = await click_then_submit(
        bot,
        EMPLOYEE,
        Action.ASK_HR,
        request_ref(thread),
        thread,
        Callback.ASK_HR,
        forms.text_values("I was offered this in writing last month."),
    )

    assert answer == ""

    def sent_to(channel: str) -> Callable[[Call], bool]:
        return lambda c: c.body["channel"] == channel

    posts = [
        (await bot.slack.wait_for("chat.postMessage", where=sent_to(dest)))[0]
        for dest in (HR_CHANNEL, HR)
    ]
    for post in posts:
        for expected in (
            "needs HR: review of a block",
            "Cover or backfill",
            "Nobody can cover the on-call rota",
            "offered this in writing",
            "https://test.slack.com/archives/",
        ):
            assert expected in post.blocks_text, expected
    await bot.slack.wait_for("chat.postMessage", where=lambda c: "asked HR to review" in c.text)
    await bot.slack.wait_for("chat.update", 2)
    assert "With HR: review of a block" in bot.updates(thread)[-1].blocks_text

    _, again = await bot.click(HOST, Action.ASK_HR, request_ref(thread), thread)
    refusal = (await bot.reply_to(again)).text
    assert f"HR already has this (review of a block): <@{EMPLOYEE}> raised it" in refusal
    async with bot.sessions() as session:
        assert len((await session.scalars(select(Escalation))).all()) == 1


async def test_asking_hr_when_no_hr_is_set_up_says_so(bot: Harness) -> None:
    thread = await blocked(bot, START, END)

    _, reply_name = await bot.click(EMPLOYEE, Action.ASK_HR, request_ref(thread), thread)

    assert "HR is not set up for this workspace" in (await bot.reply_to(reply_name)).text


@pytest.mark.settings(hr_channel=HR_CHANNEL)
async def test_hr_channel_members_can_add_a_note_and_others_cannot(bot: Harness) -> None:
    bot.slack.add_channel(HR_CHANNEL, [HR])
    bot.slack.add_user(HR)
    thread = await blocked(bot, START, END)
    hr_post_ref = request_ref(thread)

    _, refused = await bot.click(OUTSIDER, Action.HR_NOTE, hr_post_ref, thread)
    answer = await click_then_submit(
        bot,
        HR,
        Action.HR_NOTE,
        hr_post_ref,
        thread,
        Callback.HR_NOTE,
        forms.text_values("HR will meet both managers on Thursday to agree a plan."),
    )

    assert "Only HR can add an HR note" in (await bot.reply_to(refused)).text
    assert answer == ""
    # (Sent side by side: which arrives first is not fixed.)
    (note, copy) = sorted(
        await bot.slack.wait_for("chat.postMessage", 2, where=lambda c: "Note from HR" in c.text),
        key=lambda c: "thread_ts" not in c.body,
    )
    assert note.body["thread_ts"] == thread.ts and "meet both managers" in note.text
    # HR is not in the thread: the note's author is sent their own copy.
    assert copy.body["channel"] == HR and "only its three parties see" in copy.blocks_text


@pytest.mark.settings(hr_users=HR, hr_can_override=True)
async def test_hr_overrides_a_block_with_a_recorded_justification(bot: Harness) -> None:
    bot.slack.add_user(HR)
    thread = await blocked(bot, START, END)

    answer = await click_then_submit(
        bot,
        HR,
        Action.HR_OVERRIDE,
        ref(thread, Side.HOME),
        thread,
        Callback.HR_OVERRIDE,
        forms.text_values("Policy guarantees release after a four-week notice period."),
    )

    assert answer == ""
    (reply, copy) = sorted(
        await bot.slack.wait_for(
            "chat.postMessage", 2, where=lambda c: "overrode the block" in c.text
        ),
        key=lambda c: "thread_ts" not in c.body,
    )
    assert "four-week notice period" in reply.text
    assert (reply.body["thread_ts"], copy.body["channel"]) == (thread.ts, HR)
    row = await bot.secondment(thread.secondment_id)
    assert (row.status, row.home_state, row.home_decided_by) == ("pending", "approved", HR)
    override = (await decisions(bot))[-1]
    assert (override.kind, override.on_behalf_of) == ("hr_override", HOME)
    assert "four-week notice period" in (override.explanation or "")


@pytest.mark.settings(hr_users=HR)
async def test_hr_cannot_override_when_the_policy_is_off(bot: Harness) -> None:
    bot.slack.add_user(HR)
    thread = await blocked(bot, START, END)

    _, reply_name = await bot.click(HR, Action.HR_OVERRIDE, ref(thread, Side.HOME), thread)

    assert "switched off by this workspace's policy" in (await bot.reply_to(reply_name)).text
    assert (await bot.secondment(thread.secondment_id)).status == "blocked"


@pytest.mark.settings(hr_channel="G0PRIVATE")
async def test_an_unreadable_hr_channel_refuses_clearly(bot: Harness) -> None:
    # The bot was never invited to the private HR channel, so Slack will not list its members.
    thread = await blocked(bot, START, END)

    _, reply_name = await bot.click(HOST, Action.HR_NOTE, request_ref(thread), thread)

    assert "Only HR can add an HR note" in (await bot.reply_to(reply_name)).text


@pytest.mark.settings(hr_users=HR, hr_can_override=True)
async def test_only_hr_may_override_and_only_the_parties_may_ask_hr(bot: Harness) -> None:
    thread = await blocked(bot, START, END)

    _, override = await bot.click(HOST, Action.HR_OVERRIDE, ref(thread, Side.HOME), thread)
    _, outsider_asks = await bot.click(OUTSIDER, Action.ASK_HR, request_ref(thread), thread)
    _, blocker_asks = await bot.click(HOME, Action.ASK_HR, request_ref(thread), thread)

    assert "Only HR can override a block" in (await bot.reply_to(override)).text
    assert "can't find secondment #1" in (await bot.reply_to(outsider_asks)).text
    assert (
        f"Only <@{EMPLOYEE}> or <@{HOST}> can ask HR to review the block"
        in (await bot.reply_to(blocker_asks)).text
    )
    assert (await bot.secondment(thread.secondment_id)).status == "blocked"
    async with bot.sessions() as session:
        assert (await session.scalars(select(Escalation))).all() == []
