"""HR as the fallback approver, over Slack's wire: when a side's decider's account is deactivated
(Slack's `user_change` event, or a reminder refused with `user_disabled`), the side goes to HR
with a notice in the thread and to HR, once; their reminders stop; HR approves or blocks it,
and nobody else may.

The test clock starts on Monday 4 January 2027, 10:00 in London."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.domain.states import Side
from bot.models import AuditEvent, Nudge
from bot.slack.ids import Action, Callback
from tests.support import forms, wire
from tests.support.flows import approve, decisions, delegate, ref
from tests.support.harness import HOME, HOST, OUTSIDER, Harness, Thread

START, END = date(2027, 2, 1), date(2027, 7, 30)
HR = "U0HRPERSON"


def deactivated(user_id: str) -> dict[str, Any]:
    """Slack's `user_change` event for a member whose account was just deactivated."""
    return {"type": "user_change", "user": {"id": user_id, "deleted": True, "is_bot": False}}


async def hr_clicks(bot: Harness, action: Action, thread: Thread, side: Side) -> str:
    """HR clicks a button on their notice, in their DM with the bot; returns the reply's name."""
    response_url = bot.new_response_url()
    body = wire.block_action(
        HR,
        action,
        ref(thread, side).encode(),
        response_url=response_url,
        channel_id="D0HRPERSON",
        message_ts="1800000000.000077",
    )
    assert (await bot.post(body)).status == 200
    await bot.handled()
    return response_url.rsplit("/", 1)[1]


@pytest.mark.settings(hr_users=HR)
async def test_a_deactivated_managers_pending_decision_goes_to_hr_who_decides_it(
    bot: Harness,
) -> None:
    bot.slack.add_user(HR)
    thread = await bot.submit_request(START, END)
    bot.slack.workspace.deactivate(HOST)

    for _ in range(2):  # Slack's event, and one more like it: handed over once
        assert (await bot.send_event(deactivated(HOST))).status == 200

    row = await bot.secondment(thread.secondment_id)
    assert row.host_to_hr_at is not None and row.home_to_hr_at is None
    (reply,) = [c for c in bot.thread_replies(thread) if "deactivated" in c.text]
    assert (
        f"<@{HOST}>'s Slack account is deactivated, so HR now decides the host manager side"
        in reply.text
    )
    (notice,) = [c for c in bot.slack.sent("chat.postMessage", channel=HR) if "needs HR" in c.text]
    assert Action.APPROVE in notice.blocks_text and Action.BLOCK in notice.blocks_text
    assert Action.CONDITIONS not in notice.blocks_text
    assert "(no longer in Slack: HR decides)" in bot.updates(thread)[-1].blocks_text
    await bot.open_home(HR)
    assert "HR (host manager: its decider is no longer in Slack)" in json.dumps(
        (await bot.home_of(HR)).body["view"]
    )
    # No more reminders to the host manager; the home manager's still go, and HR is reminded
    # of the side it holds, with its buttons.
    await bot.sweep(datetime(2027, 1, 7, 9, tzinfo=UTC))
    reminded = {
        c.body["channel"] for c in bot.slack.sent("chat.postMessage") if "reminder" in c.text
    }
    assert reminded == {HOME, HR}
    (for_hr,) = [c for c in bot.slack.sent("chat.postMessage", channel=HR) if "⏰" in c.text]
    assert "still waits for HR to decide its *host manager* side" in for_hr.text
    assert Action.APPROVE in for_hr.blocks_text

    # Someone else is refused; HR decides, on the host manager's behalf.
    _, name = await bot.click(OUTSIDER, Action.APPROVE, ref(thread, Side.HOST), thread)
    assert "Only HR can decide the host manager side" in (await bot.reply_to(name)).text
    await hr_clicks(bot, Action.APPROVE, thread, Side.HOST)
    (decision,) = await decisions(bot)
    assert (decision.decided_by, decision.on_behalf_of) == (HR, HOST)
    await approve(bot, HOME, thread, Side.HOME)
    await bot.handled()
    assert (await bot.secondment(thread.secondment_id)).status == "approved"
    async with bot.sessions() as session:
        (event,) = await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "host_to_hr")
        )
    assert (event.actor_id, event.detail["decider_id"]) == ("bot", HOST)


@pytest.mark.settings(hr_users=HR)
async def test_hr_blocks_a_side_it_decides_with_a_reason(bot: Harness) -> None:
    bot.slack.add_user(HR)
    thread = await bot.submit_request(START, END)
    await bot.send_event(deactivated(HOME))

    await hr_clicks(bot, Action.BLOCK, thread, Side.HOME)
    opened = await bot.opened_modal(Callback.BLOCK)
    answer = await bot.submit(
        HR,
        Callback.BLOCK,
        forms.block_values(),
        private_metadata=opened.body["view"]["private_metadata"],
    )
    assert await answer.text() == ""
    await bot.handled()

    (decision,) = await decisions(bot)
    assert (decision.decided_by, decision.on_behalf_of, decision.outcome) == (
        HR,
        HOME,
        "blocked",
    )


@pytest.mark.settings(hr_users=HR)
async def test_a_reminder_refused_as_user_disabled_hands_the_side_to_hr(bot: Harness) -> None:
    bot.slack.add_user(HR)
    thread = await bot.submit_request(START, END)
    bot.slack.workspace.deactivate(HOST)  # left, and Slack sent no event the bot saw

    await bot.sweep(datetime(2027, 1, 7, 9, tzinfo=UTC))  # the reminders: the host's refused
    await bot.sweep(datetime(2027, 1, 7, 9, 1, tzinfo=UTC))  # what the hand-over said

    assert (await bot.secondment(thread.secondment_id)).host_to_hr_at is not None
    to_hr = [c.text for c in bot.slack.sent("chat.postMessage", channel=HR)]
    assert len([t for t in to_hr if "needs HR to decide its *host manager* side" in t]) == 1
    assert not [t for t in to_hr if "could not reach" in t]  # one notice, not two
    async with bot.sessions() as session:
        waiting = (
            await session.scalars(
                select(Nudge).where(
                    Nudge.recipient_id == HOST,
                    Nudge.sent_at.is_(None),
                    Nudge.cancelled_at.is_(None),
                )
            )
        ).all()
    assert waiting == []


async def test_without_hr_set_up_a_deactivation_changes_nothing(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)

    await bot.send_event(deactivated(HOST))

    assert (await bot.secondment(thread.secondment_id)).host_to_hr_at is None
    assert not [c for c in bot.thread_replies(thread) if "deactivated" in c.text]


@pytest.mark.settings(hr_users=HR)
async def test_a_profile_change_or_a_malformed_event_changes_nothing(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)
    for user in (
        {"id": HOST, "deleted": False},
        {"id": HOST},
        {"id": "not a member id", "deleted": True},
        "U0HOST",
    ):
        response = await bot.send_event({"type": "user_change", "user": user})
        assert response.status == 200, json.dumps(user)

    assert (await bot.secondment(thread.secondment_id)).host_to_hr_at is None


@pytest.mark.settings(hr_users=HOME)
async def test_hr_who_is_part_of_the_request_cannot_decide_the_side_it_holds(
    bot: Harness,
) -> None:
    """The home manager is also in HR: the host side gone to HR is someone else's to decide."""
    thread = await bot.submit_request(START, END)
    await bot.send_event(deactivated(HOST))

    _, name = await bot.click(HOME, Action.APPROVE, ref(thread, Side.HOST), thread)

    assert (
        "You are part of this request, so someone else in HR decides"
        in (await bot.reply_to(name)).text
    )
    assert await decisions(bot) == []


@pytest.mark.settings(hr_users=HR)
async def test_a_new_delegate_takes_back_a_side_from_hr(bot: Harness) -> None:
    """The delegate left; the manager names someone else, who then decides it, not HR."""
    bot.slack.add_user(HR)
    deputy = bot.slack.add_user("U0DEPUTY")
    thread = await bot.submit_request(START, END)
    await delegate(bot, thread, Side.HOME, deputy)
    await bot.send_event(deactivated(deputy))
    assert (await bot.secondment(thread.secondment_id)).home_to_hr_at is not None

    await delegate(bot, thread, Side.HOME, HOME)  # the manager takes it back

    assert (await bot.secondment(thread.secondment_id)).home_to_hr_at is None
    _, name = await bot.click(HR, Action.APPROVE, ref(thread, Side.HOME), thread)
    assert f"Only <@{HOME}> can decide the home manager side" in (await bot.reply_to(name)).text
