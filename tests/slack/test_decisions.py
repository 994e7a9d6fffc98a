"""Approve and Block on the approval thread, end to end: what each person sees, what is stored,
who may act, and that repeated or simultaneous clicks make exactly one decision."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from typing import Any

import pytest
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.domain.decisions import DecisionMade
from bot.domain.states import Side
from bot.services.decide import decide
from bot.slack.ids import Action, Callback
from bot.slack.listeners.context import ANSWERED, changing
from bot.slack_standin.recorded import Call
from tests.support import forms, wire
from tests.support.flows import approve, block, decisions, ref
from tests.support.harness import (
    EMPLOYEE,
    HOME,
    HOST,
    OUTSIDER,
    Harness,
    buttons_in,
)

START, END = date(2027, 2, 1), date(2027, 7, 30)


async def test_an_approval_is_announced_and_the_parent_rerendered(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)

    await approve(bot, HOME, thread, Side.HOME)

    (reply,) = await bot.slack.wait_for(
        "chat.postMessage", where=lambda c: c.body.get("thread_ts") == thread.ts
    )
    assert f"<@{HOME}> approved the *home manager* side" in reply.text
    (update,) = await bot.slack.wait_for("chat.update")
    assert update.body["ts"] == thread.ts and update.body["channel"] == thread.channel
    assert "*approved* by <@U0HOME> on <!date^" in update.blocks_text
    assert [b["value"] for b in buttons_in(update)] == ["1:host:1", "1:host:1"]
    row = await bot.secondment(thread.secondment_id)
    assert (row.status, row.home_state, row.home_decided_by) == ("pending", "approved", HOME)
    assert [e.action for e in await bot.audit(thread.secondment_id)][-1] == "home_approved"


async def test_both_approvals_approve_the_request_and_remove_the_buttons(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)

    await approve(bot, HOME, thread, Side.HOME)
    await bot.slack.wait_for("chat.update")
    await approve(bot, HOST, thread, Side.HOST)

    updates = await bot.slack.wait_for("chat.update", 2)
    (announcement,) = await bot.slack.wait_for(
        "chat.postMessage", where=lambda c: "Both managers have approved" in c.text
    )
    assert announcement.body["reply_broadcast"] is True
    assert buttons_in(updates[-1]) == []
    assert "✅ *Approved*" in updates[-1].blocks_text
    assert (await bot.secondment(thread.secondment_id)).status == "approved"
    events = await bot.audit(thread.secondment_id)
    assert [e.action for e in events][-3:] == ["home_approved", "host_approved", "approved"]
    assert {e.terms_version for e in events} == {1}


async def test_a_block_records_the_reason_and_shows_it_to_everyone(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)

    await block(
        bot,
        HOME,
        thread,
        Side.HOME,
        reason="cover",
        conditions=["later_start", "handover"],
        explanation="Nobody can cover the on-call rota before March.",
        note="Start on 1 March after a four-week handover.",
    )

    (reply,) = await bot.slack.wait_for(
        "chat.postMessage", where=lambda c: c.body.get("thread_ts") == thread.ts
    )
    for expected in (
        "blocked the *home manager* side",
        "Cover or backfill",
        "Nobody can cover the on-call rota before March.",
        "a later start date",
        "a handover period",
        "Start on 1 March",
        f"<@{EMPLOYEE}>",
    ):
        assert expected in reply.blocks_text, expected
    assert "Nobody can cover the on-call rota before March." in reply.text  # the notification
    (update,) = await bot.slack.wait_for("chat.update")
    assert buttons_in(update) == []
    assert "on hold while the request is blocked" in update.blocks_text
    row = await bot.secondment(thread.secondment_id)
    assert (row.status, row.home_state) == ("blocked", "blocked")
    (decision,) = await decisions(bot)
    assert (decision.reason, decision.terms_version, decision.decided_by) == ("cover", 1, HOME)
    assert decision.conditions == ["later_start", "handover"]
    (event,) = [e for e in await bot.audit(thread.secondment_id) if e.action == "home_blocked"]
    assert event.detail["explanation"] == "Nobody can cover the on-call rota before March."


async def test_the_block_form_needs_a_reason_and_a_real_explanation(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)
    metadata = ref(thread, Side.HOME).encode()

    response = await bot.submit(
        HOME,
        Callback.BLOCK,
        forms.block_values(reason=None, explanation="no"),
        private_metadata=metadata,
    )

    errors = json.loads(await response.text())["errors"]
    assert errors["reason"] == "Choose the main reason."
    assert "at least 20 characters" in errors["explanation"]
    assert (await bot.secondment(thread.secondment_id)).status == "pending"
    assert await decisions(bot) == []


async def test_only_the_named_manager_can_decide_a_side(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)
    attempts = [
        (OUTSIDER, Action.APPROVE, Side.HOME, f"Only <@{HOME}> can decide the home manager side"),
        (HOST, Action.APPROVE, Side.HOME, f"Only <@{HOME}> can decide the home manager side"),
        (EMPLOYEE, Action.APPROVE, Side.HOST, f"Only <@{HOST}> can decide the host manager side"),
        (OUTSIDER, Action.BLOCK, Side.HOST, f"Only <@{HOST}> can decide the host manager side"),
    ]
    for user, action, side, expected in attempts:
        _, reply_name = await bot.click(user, action, ref(thread, side), thread)
        reply = await bot.reply_to(reply_name)
        assert reply.body["response_type"] == "ephemeral"
        assert reply.body["replace_original"] is False
        assert expected in reply.text

    forged = await bot.submit(
        OUTSIDER,
        Callback.BLOCK,
        forms.block_values(),
        private_metadata=ref(thread, Side.HOME).encode(),
    )
    assert "Only <@U0HOME>" in json.dumps(json.loads(await forged.text())["view"])
    row = await bot.secondment(thread.secondment_id)
    assert (row.status, row.home_state, row.host_state) == ("pending", "pending", "pending")
    assert await decisions(bot) == []
    block_modals = [
        c for c in bot.slack.sent("views.open") if c.body["view"]["callback_id"] == Callback.BLOCK
    ]
    assert block_modals == []
    assert await decisions(bot) == []


async def test_refused_clicks_are_acknowledged_with_200(bot: Harness) -> None:
    # Regression: a refusal raised after ack() used to race Bolt's runner, which then answered
    # Slack with a 404 after its ack timeout (and Slack showed the click as failed).
    thread = await bot.submit_request(START, END)

    clicks = [
        await bot.click(OUTSIDER, Action.APPROVE, ref(thread, Side.HOME), thread) for _ in range(20)
    ]

    assert [response.status for response, _ in clicks] == [200] * 20
    await bot.slack.wait_for("response_url", 20)


async def test_a_decided_side_says_who_decided_and_when(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)
    await approve(bot, HOME, thread, Side.HOME)
    await bot.slack.wait_for("chat.update")

    reply_name = await approve(bot, HOME, thread, Side.HOME)

    reply = await bot.reply_to(reply_name)
    assert f"<@{HOME}> approved the home manager side on <!date^" in reply.text
    assert len(await decisions(bot)) == 1


async def test_after_a_block_the_other_side_is_told_the_request_is_blocked(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)
    await block(bot, HOST, thread, Side.HOST, reason="not_a_fit")
    await bot.slack.wait_for("chat.update")

    reply_name = await approve(bot, HOME, thread, Side.HOME)

    reply = await bot.reply_to(reply_name)
    assert "no longer awaiting decisions: it is blocked" in reply.text
    assert (await bot.secondment(thread.secondment_id)).home_state == "pending"


async def test_a_block_submitted_after_the_request_moved_on_changes_nothing(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)
    await block(bot, HOST, thread, Side.HOST)
    await bot.slack.wait_for("chat.update")

    late = await bot.submit(
        HOME, Callback.BLOCK, forms.block_values(), private_metadata=ref(thread, Side.HOME).encode()
    )

    answer = json.loads(await late.text())
    assert answer["response_action"] == "update"
    assert "no longer awaiting decisions" in json.dumps(answer["view"])
    assert len(await decisions(bot)) == 1


async def test_a_button_for_an_older_version_of_the_terms_is_refused(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)

    _, reply_name = await bot.click(HOME, Action.APPROVE, ref(thread, Side.HOME, 2), thread)

    assert "you saw version 2; the current one is 1" in (await bot.reply_to(reply_name)).text
    assert await decisions(bot) == []


async def test_a_double_click_and_a_slack_retry_make_one_decision(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)
    response_url = bot.new_response_url()
    body = wire.block_action(
        HOME,
        Action.APPROVE,
        ref(thread, Side.HOME).encode(),
        response_url=response_url,
        channel_id=thread.channel,
        message_ts=thread.ts,
    )
    retry_headers = {
        **wire.sign(body),
        "X-Slack-Retry-Num": "1",
        "X-Slack-Retry-Reason": "http_timeout",
    }

    responses = await asyncio.gather(bot.post(body), bot.post(body), bot.post(body, retry_headers))

    assert [r.status for r in responses] == [200, 200, 200]
    refusals = await bot.slack.wait_for("response_url", 2)
    assert all("already decided" in r.text for r in refusals)
    await bot.slack.wait_for("chat.update")
    replies = [c for c in bot.thread_replies(thread) if "approved the" in c.text]
    assert len(replies) == 1
    assert len(await decisions(bot)) == 1
    assert [e.action for e in await bot.audit(thread.secondment_id)].count("home_approved") == 1


async def test_both_managers_at_the_same_moment_reach_one_consistent_approval(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)

    await asyncio.gather(
        approve(bot, HOME, thread, Side.HOME), approve(bot, HOST, thread, Side.HOST)
    )

    await bot.slack.wait_for(
        "chat.postMessage", where=lambda c: "Both managers have approved" in c.text
    )
    await bot.slack.wait_for("chat.update", 2)
    row = await bot.secondment(thread.secondment_id)
    assert (row.status, row.home_state, row.host_state) == ("approved", "approved", "approved")
    assert [e.action for e in await bot.audit(thread.secondment_id)].count("approved") == 1
    assert len(bot.slack.sent("chat.postMessage", reply_broadcast=True)) == 1


async def test_a_block_and_an_approval_at_the_same_moment_end_blocked(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)
    metadata = ref(thread, Side.HOME).encode()

    blocked, _ = await asyncio.gather(
        bot.submit(HOME, Callback.BLOCK, forms.block_values(), private_metadata=metadata),
        approve(bot, HOST, thread, Side.HOST),
    )

    assert blocked.status == 200

    # Either order is fair: the approval lands first (two updates), or after the block and is
    # refused (one update and a private refusal).
    def updates() -> list[Call]:
        return bot.slack.sent("chat.update")

    def refusals() -> list[Call]:
        return bot.slack.sent("response_url")

    await bot.slack.wait_until(
        lambda: len(updates()) == 2 or (len(updates()) == 1 and len(refusals()) == 1)
    )
    row = await bot.secondment(thread.secondment_id)
    assert (row.status, row.home_state) == ("blocked", "blocked")
    if refusals():
        assert row.host_state == "pending"
        assert "no longer awaiting decisions" in refusals()[0].text
    else:
        assert row.host_state == "approved"
    assert not [c for c in bot.slack.sent("chat.postMessage") if "Both managers" in c.text]


async def test_a_rate_limited_post_is_retried_after_retry_after_and_arrives(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)
    bot.slack.fail_next("chat.postMessage", "ratelimited", status=429, retry_after=3)

    await approve(bot, HOME, thread, Side.HOME)

    posts = await bot.slack.wait_for(
        "chat.postMessage", 2, where=lambda c: c.body.get("thread_ts") == thread.ts
    )
    assert posts[0].text == posts[1].text and "approved the" in posts[1].text
    await bot.slack.wait_for("chat.update")
    assert len(bot.sleeps) == 1 and 3 <= bot.sleeps[0] < 4


@pytest.mark.settings(hr_users="U0HR")
async def test_an_announcement_slack_refuses_for_good_is_given_up_and_hr_is_told(
    bot: Harness,
) -> None:
    bot.slack.add_user("U0HR")
    thread = await bot.submit_request(START, END)
    bot.slack.fail_next("chat.postMessage", "channel_not_found")

    await approve(bot, HOME, thread, Side.HOME)

    (notice,) = await bot.slack.wait_for(
        "chat.postMessage", where=lambda c: c.body["channel"] == "U0HR"
    )
    assert "request #1 could not be delivered to the approval thread" in notice.text
    assert "channel_not_found" in notice.text
    assert (await bot.secondment(thread.secondment_id)).home_state == "approved"
    # What the change said after the refused reply still goes: the parent shows the decision.
    (update,) = await bot.slack.wait_for("chat.update")
    assert f"*approved* by <@{HOME}>" in update.blocks_text


async def test_a_decision_begins_once_its_answer_is_on_the_way(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bolt sees an ack only when it next looks (every 10 ms): a decision begun before then
    would hold the answer back behind its own work."""
    thread = await bot.submit_request(START, END)
    await bot.handled()
    answered: list[object] = []
    dispatch = AsyncApp.async_dispatch

    async def noting_answers(app: AsyncApp, request: AsyncBoltRequest) -> BoltResponse:
        response = await dispatch(app, request)
        answered.append(response)
        return response

    answered_when_deciding: list[int] = []

    async def noting_decisions(*args: Any, **kwargs: Any) -> DecisionMade:
        answered_when_deciding.append(len(answered))
        return await decide(*args, **kwargs)

    monkeypatch.setattr(AsyncApp, "async_dispatch", noting_answers)
    monkeypatch.setattr("bot.slack.listeners.actions.decide", noting_decisions)

    await approve(bot, HOME, thread, Side.HOME)
    await bot.handled()

    assert answered_when_deciding == [1]
    assert (await bot.secondment(thread.secondment_id)).home_state == "approved"


async def test_without_the_web_server_a_change_does_not_wait(bot: Harness) -> None:
    """Socket Mode serves Bolt without bot/web.py: no answer event, so no wait."""
    async with changing(bot.deps, AsyncBoltContext()):
        entered = True
    answered = asyncio.Event()
    waiting = asyncio.create_task(_enter(bot, AsyncBoltContext({ANSWERED: answered})))
    await asyncio.sleep(0)
    assert entered and not waiting.done()
    answered.set()
    await asyncio.wait_for(waiting, 1)


async def _enter(bot: Harness, context: AsyncBoltContext) -> None:
    async with changing(bot.deps, context):
        pass
