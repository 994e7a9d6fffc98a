"""`/secondment request` end to end: the modal, validation inside it, storing version 1 of the
terms, the approval thread and the employee's confirmation."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select

from bot.domain.states import Side
from bot.models import Nudge, Secondment, TermsVersion
from bot.slack.ids import Callback, RequestField
from tests.support import forms
from tests.support.flows import approve, ref
from tests.support.harness import (
    EMPLOYEE,
    HOME,
    HOST,
    Harness,
    Thread,
    blocks_of,
    buttons_in,
    listener_tasks,
)

START, END = date(2027, 2, 1), date(2027, 7, 30)


async def _count(bot: Harness) -> int:
    async with bot.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Secondment)) or 0)


async def test_request_command_opens_the_modal_with_the_host_manager_prefilled(
    bot: Harness,
) -> None:
    response, _ = await bot.command(EMPLOYEE, "request <@U0HOST|hana>")

    assert response.status == 200
    (opened,) = await bot.slack.wait_for("views.open")
    view = opened.body["view"]
    assert view["callback_id"] == Callback.REQUEST
    host_block = next(b for b in view["blocks"] if b.get("block_id") == RequestField.HOST_MANAGER)
    assert host_block["element"]["initial_user"] == HOST
    labels = [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]
    assert "Home manager: your current line manager" in labels
    assert "Coverage plan for your home role" in labels


async def test_an_expired_trigger_tells_the_user_to_try_again(bot: Harness) -> None:
    bot.slack.fail_next("views.open", "expired_trigger_id")

    _, reply_name = await bot.command(EMPLOYEE, "request")

    reply = await bot.reply_to(reply_name)
    assert reply.body["response_type"] == "ephemeral"
    assert "run the command or click the button again" in reply.text


async def test_a_valid_request_is_stored_and_opens_the_approval_thread(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)

    row = await bot.secondment(thread.secondment_id)
    assert (row.status, row.terms_version, row.employee_id) == ("pending", 1, EMPLOYEE)
    async with bot.sessions() as session:
        terms = (await session.scalars(select(TermsVersion))).one()
    assert (terms.version, terms.start_date, terms.end_date) == (1, START, END)
    assert terms.coverage_plan.startswith("Sam covers")

    (opened,) = bot.slack.sent("conversations.open")
    assert sorted(opened.body["users"].split(",")) == sorted([EMPLOYEE, HOME, HOST])
    parent = bot.slack.sent("chat.postMessage", channel=thread.channel)[0]
    assert parent.body.get("thread_ts") is None
    text = parent.blocks_text
    for expected in (
        "Analytics engineer",
        "Data Platform",
        "Mon 1 Feb 2027",
        "Fri 30 Jul 2027",
        "Return to the same role",
        "Sam covers the support rota",
        "Unchanged, paid by the home employer",
        "2 weeks before the start",
        "releases the employee",
        "confirms the written terms",
    ):
        assert expected in text, expected
    assert [b["value"] for b in buttons_in(parent)] == ["1:home:1"] * 2 + ["1:host:1"] * 2

    (dm,) = bot.slack.sent("chat.postMessage", channel=EMPLOYEE)
    assert "#1" in dm.text and f"<@{HOME}>" in dm.text and f"<@{HOST}>" in dm.text
    link = next(e for b in blocks_of(dm) if b["type"] == "actions" for e in b["elements"])
    assert link["url"] == f"https://test.slack.com/archives/{thread.channel}/p1800000000000001"
    assert [e.action for e in await bot.audit(thread.secondment_id)] == [
        "requested",
        "thread_opened",
    ]


async def test_the_start_date_is_checked_against_the_employees_own_calendar(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    # 14:00 UTC on Monday 4 Jan is already 03:00 on Tuesday 5 Jan in Auckland.
    clock.move_to(datetime(2027, 1, 4, 14, 0, tzinfo=UTC))
    bot.slack.add_user("U0KIWI", tz="Pacific/Auckland")
    values = forms.request_values(home=HOME, host=HOST, start=date(2027, 1, 4), end=END)

    in_auckland = await bot.submit("U0KIWI", Callback.REQUEST, values)
    in_london = await bot.submit(EMPLOYEE, Callback.REQUEST, values)

    assert "in the past" in json.loads(await in_auckland.text())["errors"]["start_date"]
    assert await in_london.text() == ""
    await bot.slack.wait_for("chat.getPermalink")
    assert await _count(bot) == 1


def _case(**values: Any) -> dict[str, Any]:
    return values


INVALID = {
    "end before start": (
        _case(start=date(2027, 3, 1), end=date(2027, 2, 1)),
        "end_date",
        "before the start",
    ),
    "start in the past": (
        _case(start=date(2027, 1, 3), end=date(2027, 3, 1)),
        "start_date",
        "in the past",
    ),
    "shorter than the minimum": (
        _case(start=date(2027, 2, 1), end=date(2027, 2, 13)),
        "end_date",
        "at least 14 days",
    ),
    "employee as home manager": (_case(home=EMPLOYEE), "home_manager", "your own home manager"),
    "employee as host manager": (_case(host=EMPLOYEE), "host_manager", "your own host manager"),
    "same person as both managers": (_case(host=HOME), "host_manager", "different people"),
    "a bot as manager": (_case(host="U0SOMEBOT"), "host_manager", "bot or has been deactivated"),
    "a deactivated manager": (_case(home="U0GONE"), "home_manager", "deactivated"),
    "no host manager": (_case(host=None), "host_manager", "Choose a person"),
    "empty role": (_case(role_title=forms.text(None)), "role_title", "required"),
    "empty coverage plan": (_case(coverage_plan=forms.text("   ")), "coverage_plan", "required"),
    "role over the limit": (
        _case(role_title=forms.text("x" * 151)),
        "role_title",
        "150 characters or fewer",
    ),
    "objectives over the limit": (
        _case(objectives=forms.text("x" * 2501)),
        "objectives",
        "2500 characters or fewer",
    ),
    "time commitment out of range": (
        _case(time_commitment=forms.number("150")),
        "time_commitment",
        "from 10 to 100",
    ),
    "no return arrangement": (
        _case(return_arrangement=forms.select(None)),
        "return_arrangement",
        "Choose one",
    ),
}


@pytest.mark.parametrize("case", INVALID.values(), ids=list(INVALID))
async def test_invalid_requests_are_answered_in_the_modal_and_nothing_is_stored(
    bot: Harness, case: tuple[dict[str, Any], str, str]
) -> None:
    bot.slack.add_user("U0SOMEBOT", is_bot=True)
    bot.slack.add_user("U0GONE", deleted=True)
    shared_changes, field, message = case
    changes = dict(shared_changes)  # the cases are shared by every database run
    people = {k: changes.pop(k) for k in ("home", "host", "start", "end") if k in changes}
    values = forms.request_values(
        home=people.get("home", HOME),
        host=people.get("host", HOST),
        start=people.get("start", START),
        end=people.get("end", END),
        **changes,
    )

    response = await bot.submit(EMPLOYEE, Callback.REQUEST, values)

    assert response.status == 200
    answer = json.loads(await response.text())
    assert answer["response_action"] == "errors"
    assert message in answer["errors"][field]
    assert await _count(bot) == 0
    assert not bot.slack.sent("conversations.open")


async def test_several_problems_are_reported_on_their_own_fields(bot: Harness) -> None:
    values = forms.request_values(
        home=None,
        host=None,
        start=None,
        end=None,
        host_team=forms.text(""),
    )
    response = await bot.submit(EMPLOYEE, Callback.REQUEST, values)
    errors = json.loads(await response.text())["errors"]
    assert set(errors) == {"home_manager", "host_manager", "start_date", "end_date", "host_team"}


async def test_a_term_past_the_return_rights_limit_gets_a_note_but_is_not_blocked(
    bot: Harness,
) -> None:
    thread = await bot.submit_request(date(2027, 2, 1), date(2028, 3, 1))

    parent = bot.slack.sent("chat.postMessage", channel=thread.channel)[0]
    assert "only to a role of the same grade" in parent.blocks_text
    assert "Confirm with HR" in parent.blocks_text  # asked for the same role
    assert (await bot.secondment(thread.secondment_id)).status == "pending"


async def test_a_retried_submission_makes_one_request_and_one_thread(bot: Harness) -> None:
    values = forms.request_values(home=HOME, host=HOST, start=START, end=END)
    first = await bot.submit(EMPLOYEE, Callback.REQUEST, values, view_id="V0SAME")
    await bot.slack.wait_for("chat.postMessage", 2)
    second = await bot.submit(EMPLOYEE, Callback.REQUEST, values, view_id="V0SAME")

    assert (first.status, second.status) == (200, 200)
    assert await _count(bot) == 1
    assert len(bot.slack.sent("conversations.open")) == 1


async def test_an_approval_clicked_before_the_thread_is_stored_still_shows_in_it(
    bot: Harness,
) -> None:
    # The terms are posted with their buttons before the bot remembers the thread: a manager may
    # click Approve in between. The decision counts, and the parent is re-rendered to show it.
    release = bot.slack.hold_next("chat.getPermalink")
    values = forms.request_values(home=HOME, host=HOST, start=START, end=END)
    assert (await bot.submit(EMPLOYEE, Callback.REQUEST, values)).status == 200
    await bot.slack.wait_until(lambda: bool(bot.slack.held))
    (held,) = bot.slack.held
    async with bot.sessions() as session:
        (secondment_id,) = (await session.scalars(select(Secondment.id))).all()
    thread = Thread(secondment_id, held.body["channel"], held.body["message_ts"])
    (posted,) = bot.slack.sent("chat.postMessage", channel=thread.channel)

    submitting = listener_tasks()  # the submission's listener waits on the permalink
    await approve(bot, HOME, thread, Side.HOME)
    await bot.handled(besides=submitting)
    assert (await bot.secondment(secondment_id)).home_state == "approved"
    release.set()

    await bot.slack.wait_for("chat.postMessage", where=lambda c: c.body["channel"] == EMPLOYEE)
    await bot.slack.wait_for("chat.update")
    (update,) = bot.updates(thread)
    approvals = [b["value"] for b in buttons_in(update) if b["action_id"] == "decision_approve"]
    assert "awaiting decision" in posted.blocks_text
    assert f"*approved* by <@{HOME}>" in update.blocks_text
    assert approvals == [ref(thread, Side.HOST).encode()]  # only the host side is left to decide
    assert (await bot.secondment(secondment_id)).thread_ts == thread.ts


async def test_when_the_thread_cannot_open_the_request_is_kept_and_the_employee_told(
    bot: Harness,
) -> None:
    bot.slack.fail_next("conversations.open", "user_disabled")

    response = await bot.submit(
        EMPLOYEE,
        Callback.REQUEST,
        forms.request_values(home=HOME, host=HOST, start=START, end=END),
    )

    assert response.status == 200
    (dm,) = await bot.slack.wait_for(
        "chat.postMessage", where=lambda c: c.body["channel"] == EMPLOYEE
    )
    assert "is saved, but I couldn't open the approval thread" in dm.text
    assert "user_disabled" in dm.text
    assert await _count(bot) == 1


async def test_the_request_can_set_how_often_check_ins_go_out(bot: Harness) -> None:
    thread = await bot.submit_request(START, END, check_in_weeks=forms.number("4"))

    assert (await bot.secondment(thread.secondment_id)).check_in_weeks == 4

    await bot.command(EMPLOYEE, "request")
    (modal,) = await bot.slack.wait_for("views.open")
    interval = next(
        b for b in modal.body["view"]["blocks"] if b.get("block_id") == RequestField.CHECK_IN_WEEKS
    )
    assert interval["optional"] is True and "every 2 weeks" in interval["hint"]["text"]


async def test_a_check_in_interval_out_of_range_is_answered_in_the_modal(bot: Harness) -> None:
    values = forms.request_values(
        home=HOME, host=HOST, start=START, end=END, check_in_weeks=forms.number("40")
    )

    response = await bot.submit(EMPLOYEE, Callback.REQUEST, values)

    errors = json.loads(await response.text())["errors"]
    assert errors == {"check_in_weeks": "Enter a whole number from 1 to 26."}
    assert await _count(bot) == 0


async def _host_approves_behind_home(bot: Harness) -> tuple[Thread, asyncio.Event]:
    """The home manager's reply held on its way to Slack while the host manager approves: the
    host's reply is written behind it in the thread. Returns the event that lets it go."""
    thread = await bot.submit_request(START, END)
    await bot.handled()
    release = bot.slack.hold_next("chat.postMessage")
    await approve(bot, HOME, thread, Side.HOME)
    await bot.slack.wait_until(lambda: bool(bot.slack.held))
    delivering_home = listener_tasks()
    await approve(bot, HOST, thread, Side.HOST)
    await bot.handled(besides=delivering_home)  # the host's delivery leaves its reply waiting
    return thread, release


async def test_a_decision_made_while_the_first_ones_reply_is_on_its_way_follows_it_at_once(
    bot: Harness,
) -> None:
    # The host's reply cannot be sent before the home manager's. The home manager's delivery
    # finds it as it records its own reply sent, and sends it next, in order; nothing waits
    # for the sweep.
    thread, release = await _host_approves_behind_home(bot)
    replies = [c.text for c in bot.slack.sent("chat.postMessage", channel=thread.channel)]
    assert not any("Both managers have approved" in text for text in replies)
    release.set()
    await bot.handled()

    replies = [c.text for c in bot.slack.sent("chat.postMessage", channel=thread.channel)]
    home = next(n for n, text in enumerate(replies) if f"<@{HOME}>" in text and "approved" in text)
    both = next(n for n, text in enumerate(replies) if "Both managers have approved" in text)
    assert home < both


@pytest.mark.settings(hr_users="U0HR")
async def test_what_a_later_round_finds_given_up_is_told_to_hr_at_once(bot: Harness) -> None:
    # The host's reply, written behind the home manager's, is claimed in a round after it; Slack
    # refuses it for good. HR's notice, written as it is given up, goes with the next round,
    # not once a claim's lease has run out.
    _, release = await _host_approves_behind_home(bot)
    # The home manager's reply goes; while the parent is redrawn after it, the next post (the
    # host's reply, in the round after) is set to fail.
    redrawing = bot.slack.hold_next("chat.update")
    release.set()
    await bot.slack.wait_until(lambda: any(c.method == "chat.update" for c in bot.slack.held))
    bot.slack.fail_next("chat.postMessage", "is_archived")
    redrawing.set()
    await bot.handled()

    (notice,) = bot.slack.sent("chat.postMessage", channel="U0HR")
    assert "is_archived" in notice.text
    async with bot.sessions() as session:
        held = await session.scalar(
            select(func.count()).select_from(Nudge).where(Nudge.claim_token.is_not(None))
        )
    assert held == 0  # nothing left claimed, waiting for a lease to run out
