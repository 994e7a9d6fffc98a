"""Time away, end to end over Slack's wire: `/secondment away` and the App Home's button open
the form; a pending decision goes to the delegate for the window and comes back; nothing is
sent to someone away, and their reminders wait for their first working day back; without a
delegate, HR hears on its day instead of waiting; time away can be cancelled, once.

The test clock starts on Monday 4 January 2027, 10:00 in London (UTC in January)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from slack_sdk.models.views import View
from sqlalchemy import select

from bot.domain.states import Side
from bot.models import Absence, AuditEvent, CheckIn
from bot.services.absences import forget_past_absences
from bot.slack.ids import Action, Callback
from bot.slack.refs import RequestRef
from bot.slack_standin.recorded import Call
from tests.slack.test_retention import _Value
from tests.support import forms, wire
from tests.support.flows import approve, approved, decisions, delegate
from tests.support.harness import EMPLOYEE, HOME, HOST, Harness

START, END = date(2027, 2, 1), date(2027, 7, 30)
DEPUTY = "U0DEPUTY"
HR_CHANNEL = "C0HRDESK"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 1, day, hour, minute, tzinfo=UTC)


async def go_away(
    bot: Harness,
    user: str,
    first: date | None,
    last: date | None,
    delegate: str | None = None,
    *,
    private_metadata: str = "",
) -> dict[str, Any]:
    """Open the form with `/secondment away`, submit it, and return the bot's answer."""
    response, _ = await bot.command(user, "away")
    assert response.status == 200
    opened = await bot.opened_modal(Callback.AWAY)
    assert opened.body["view"]["callback_id"] == Callback.AWAY
    answer = await bot.submit(
        user,
        Callback.AWAY,
        forms.away_values(first, last, delegate),
        private_metadata=private_metadata,
    )
    assert answer.status == 200
    body: dict[str, Any] = json.loads(await answer.text())
    if body.get("response_action") == "update":
        View(**body["view"]).to_dict()  # what Slack shows must be valid Block Kit
    return body


def says(bot: Harness, channel: str, words: str) -> list[Call]:
    return [c for c in bot.slack.sent("chat.postMessage", channel=channel) if words in c.text]


async def test_an_away_period_with_a_delegate_routes_a_pending_approve_to_them_and_back(
    bot: Harness,
) -> None:
    bot.slack.add_user(DEPUTY)
    thread = await bot.submit_request(START, END)

    saved = await go_away(bot, HOME, date(2027, 1, 5), date(2027, 1, 8), DEPUTY)

    assert saved["response_action"] == "update"
    shown = json.dumps(saved["view"])
    assert "Tue 5 Jan 2027 to Fri 8 Jan 2027" in shown and f"<@{DEPUTY}> decides for you" in shown
    assert (await bot.secondment(thread.secondment_id)).home_delegate_id is None  # not yet

    # Not at midnight: at the start of Tuesday's working day in London, the decision goes to
    # the deputy.
    await bot.sweep(at(5, 8, 59))
    assert (await bot.secondment(thread.secondment_id)).home_delegate_id is None
    await bot.sweep(at(5, 9))
    assert (await bot.secondment(thread.secondment_id)).home_delegate_id == DEPUTY
    (handed,) = [c for c in bot.thread_replies(thread) if "is away until" in c.text]
    assert (
        f"<@{HOME}> is away until Fri 8 Jan 2027, so <@{DEPUTY}> decides the home manager side"
        in handed.text
    )
    (notice,) = bot.slack.sent("chat.postMessage", channel=DEPUTY)
    assert "named you to decide for them" in notice.text
    assert Action.APPROVE in notice.blocks_text

    # Monday 11 January, at the start of the first working day back: the decision comes back.
    await bot.sweep(at(11, 8, 59))
    assert (await bot.secondment(thread.secondment_id)).home_delegate_id == DEPUTY
    await bot.sweep(at(11, 9))
    assert (await bot.secondment(thread.secondment_id)).home_delegate_id is None
    (back,) = [c for c in bot.thread_replies(thread) if "time away is over" in c.text]
    assert f"<@{HOME}>'s time away is over: the home manager decision is theirs again" in back.text
    assert says(bot, DEPUTY, "is theirs again")
    await bot.sweep(at(11, 9, 1))  # a second sweep hands nothing back twice
    assert len([c for c in bot.thread_replies(thread) if "time away is over" in c.text]) == 1

    await approve(bot, HOME, thread, Side.HOME)
    await bot.handled()
    (decision,) = await decisions(bot)
    assert (decision.decided_by, decision.on_behalf_of) == (HOME, None)
    handovers = [
        (e.action, e.detail.get("delegate_id"), e.detail.get("away_until"))
        for e in await bot.audit(thread.secondment_id)
        if e.action == "home_delegated"
    ]
    assert handovers == [
        ("home_delegated", DEPUTY, "2027-01-08"),
        ("home_delegated", None, "2027-01-08"),
    ]


async def test_the_delegate_decides_while_the_manager_is_away(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    bot.slack.add_user(DEPUTY)
    thread = await bot.submit_request(START, END)
    # Entered on the day it begins: handed over at once, without waiting for a sweep's turn.
    await go_away(bot, HOME, date(2027, 1, 4), date(2027, 1, 8), DEPUTY)
    await bot.handled()
    assert (await bot.secondment(thread.secondment_id)).home_delegate_id == DEPUTY

    clock.move_to(at(5, 10))
    await approve(bot, DEPUTY, thread, Side.HOME)
    await bot.handled()
    (decision,) = await decisions(bot)
    assert (decision.decided_by, decision.on_behalf_of) == (DEPUTY, HOME)

    await bot.sweep(at(11, 9))  # decided: nothing to hand back, and nothing said
    assert not [c for c in bot.thread_replies(thread) if "time away is over" in c.text]


async def test_nothing_is_sent_while_away_and_reminders_wait_for_the_first_day_back(
    bot: Harness,
) -> None:
    await bot.submit_request(START, END)
    # Away Tuesday to Friday, nobody named: the reminder of Thursday 7 January waits.
    await go_away(bot, HOME, date(2027, 1, 5), date(2027, 1, 8))

    await bot.sweep(at(7, 9))
    assert says(bot, HOST, "A reminder") and not says(bot, HOME, "A reminder")
    await bot.sweep(at(8, 17))
    await bot.sweep(at(10, 12))  # Sunday: back, but not a working day
    assert not says(bot, HOME, "A reminder")

    await bot.sweep(at(11, 9))  # Monday 09:00, the first working day back
    (reminder,) = says(bot, HOME, "A reminder")
    assert "A second reminder" not in reminder.text


@pytest.mark.settings(hr_channel=HR_CHANNEL)
async def test_without_a_delegate_hr_hears_on_its_day_instead_of_waiting(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)
    await approve(bot, HOST, thread, Side.HOST)
    # Away for three weeks from Tuesday: HR's day (Wednesday 13 January) falls inside.
    await go_away(bot, HOME, date(2027, 1, 5), date(2027, 1, 22))

    for moment in (at(7, 9), at(12, 9), at(13, 8, 59)):
        await bot.sweep(moment)
    assert not bot.slack.sent("chat.postMessage", channel=HR_CHANNEL)
    await bot.sweep(at(13, 9))

    (hr_post,) = bot.slack.sent("chat.postMessage", channel=HR_CHANNEL)
    assert "needs HR: no decision yet" in hr_post.text
    assert (
        f"<@{HOME}> is away until Fri 22 Jan 2027 with nobody deciding for them"
        in hr_post.blocks_text
    )
    assert not says(bot, HOME, "reminder")  # still away: nothing sent to them


async def test_time_away_is_cancelled_from_the_form_once(bot: Harness) -> None:
    bot.slack.add_user(DEPUTY)
    thread = await bot.submit_request(START, END)
    saved = await go_away(bot, HOME, date(2027, 1, 4), date(2027, 1, 15), DEPUTY)
    await bot.handled()
    assert (await bot.secondment(thread.secondment_id)).home_delegate_id == DEPUTY
    async with bot.sessions() as session:
        (absence,) = (await session.scalars(select(Absence))).all()
    modal = {**saved["view"], "id": "V0AWAY", "hash": "1.away", "state": {"values": {}}}

    for _ in range(2):  # a double click
        body = wire.view_block_action(HOME, Action.AWAY_CANCEL, str(absence.id), view=modal)
        assert (await bot.post(body)).status == 200
        await bot.handled()

    updated = bot.slack.sent("views.update")
    assert [c.body["view_id"] for c in updated] == ["V0AWAY", "V0AWAY"]
    assert "You have no time away entered" in json.dumps(updated[-1].body["view"])
    assert (await bot.secondment(thread.secondment_id)).home_delegate_id is None
    await bot.sweep(at(4, 10, 1))
    assert len([c for c in bot.thread_replies(thread) if "time away was cancelled" in c.text]) == 1
    async with bot.sessions() as session:
        cancelled = (
            await session.scalars(select(AuditEvent).where(AuditEvent.action == "away_cancelled"))
        ).all()
    assert len(cancelled) == 1 and cancelled[0].actor_id == HOME


async def test_someone_else_cannot_cancel_your_time_away(bot: Harness) -> None:
    saved = await go_away(bot, HOME, date(2027, 1, 5), date(2027, 1, 8))
    async with bot.sessions() as session:
        (absence,) = (await session.scalars(select(Absence))).all()
    modal = {**saved["view"], "id": "V0AWAY", "hash": "1.away", "state": {"values": {}}}

    body = wire.view_block_action(EMPLOYEE, Action.AWAY_CANCEL, str(absence.id), view=modal)
    assert (await bot.post(body)).status == 200
    await bot.handled()

    async with bot.sessions() as session:
        assert (await session.get(Absence, absence.id)).cancelled_at is None  # type: ignore[union-attr]


async def test_the_form_says_what_to_fix(bot: Harness) -> None:
    bot.slack.add_user("U0ROBOT", is_bot=True)
    await bot.submit_request(START, END)
    await go_away(bot, HOME, date(2027, 1, 11), date(2027, 1, 15))
    cases = [
        ((date(2027, 1, 8), date(2027, 1, 6), None), "last_day", "before the first day"),
        ((date(2026, 12, 1), date(2026, 12, 4), None), "last_day", "already over"),
        ((None, date(2027, 1, 8), None), "first_day", "Choose the first day"),
        ((date(2027, 1, 14), date(2027, 1, 20), None), "first_day", "overlaps or runs on"),
        # Friday 8 January, then Monday the 11th: no working day between, so one absence.
        ((date(2027, 1, 6), date(2027, 1, 8), None), "first_day", "runs on from your time"),
        ((date(2027, 1, 18), date(2027, 1, 22), None), "first_day", "runs on from your time"),
        ((date(2027, 2, 1), date(2027, 2, 5), HOME), "delegate", "Choose someone else"),
        ((date(2027, 2, 1), date(2027, 2, 5), "U0ROBOT"), "delegate", "bot or has been"),
        ((date(2027, 2, 1), date(2027, 2, 5), "U0NOBODY"), "delegate", "can't find"),
        # The host manager decides the other side of request #1, waiting on the home manager.
        ((date(2027, 2, 1), date(2027, 2, 5), HOST), "delegate", "another part in request #1"),
        ((date(2027, 2, 1), date(2027, 2, 5), EMPLOYEE), "delegate", "another part in request"),
    ]

    for (first, last, named), field, expected in cases:
        answer = await bot.submit(HOME, Callback.AWAY, forms.away_values(first, last, named))
        body = json.loads(await answer.text())
        assert body["response_action"] == "errors", (first, last, named)
        assert expected in body["errors"][field], (first, last, named)
    async with bot.sessions() as session:
        assert len((await session.scalars(select(Absence))).all()) == 1  # nothing half-written


async def test_the_same_form_sent_twice_is_one_absence(bot: Harness) -> None:
    for _ in range(2):
        answer = await bot.submit(
            HOME, Callback.AWAY, forms.away_values(date(2027, 1, 5), date(2027, 1, 8))
        )
        assert json.loads(await answer.text())["response_action"] == "update"
    async with bot.sessions() as session:
        assert len((await session.scalars(select(Absence))).all()) == 1


async def test_the_app_home_lists_time_away_and_adds_it(bot: Harness) -> None:
    await bot.open_home(HOME)
    home = await bot.home_of(HOME)
    assert Action.AWAY_OPEN in json.dumps(home.body["view"])

    assert (await bot.click_on_home(HOME, Action.AWAY_OPEN, "")).status == 200
    opened = await bot.opened_modal(Callback.AWAY)
    assert opened.body["view"]["private_metadata"] == "home"
    await bot.submit(
        HOME,
        Callback.AWAY,
        forms.away_values(date(2027, 1, 5), date(2027, 1, 8)),
        private_metadata="home",
    )
    await bot.handled()

    republished = await bot.home_of(HOME, 2)
    shown = json.dumps(republished.body["view"])
    assert "Tue 5 Jan 2027 to Fri 8 Jan 2027" in shown
    # Cancelled from the form the Home's button opens, which lists each with its Cancel.
    assert (await bot.click_on_home(HOME, Action.AWAY_OPEN, "home")).status == 200
    await bot.handled()
    listed = json.dumps((await bot.opened_modal(Callback.AWAY)).body["view"])
    assert "Tue 5 Jan 2027 to Fri 8 Jan 2027" in listed and Action.AWAY_CANCEL in listed


async def test_a_check_in_waits_for_the_employee_and_is_not_missed_while_they_are_away(
    bot: Harness,
) -> None:
    await approved(bot, START, END)
    await bot.sweep(datetime(2027, 2, 1, 9, tzinfo=UTC))  # under way
    # Away Thursday 11 to Friday 19 February: check-in 1 (Monday 15th) falls inside.
    await go_away(bot, EMPLOYEE, date(2027, 2, 11), date(2027, 2, 19))

    for day in (15, 16, 17, 18, 19):
        await bot.sweep(datetime(2027, 2, day, 9, tzinfo=UTC))
    assert not says(bot, EMPLOYEE, "check-in 1")
    async with bot.sessions() as session:
        assert (await session.scalars(select(CheckIn))).all() == []  # never asked: not missed

    await bot.sweep(datetime(2027, 2, 22, 9, tzinfo=UTC))  # Monday, back
    (asked,) = says(bot, EMPLOYEE, "check-in 1")
    assert Action.CHECK_IN_ON_TRACK in asked.blocks_text
    await bot.sweep(datetime(2027, 2, 23, 9, tzinfo=UTC))
    assert len(says(bot, EMPLOYEE, "check-in 1")) == 2  # its reminder, a working day after
    assert "reminder" in says(bot, EMPLOYEE, "check-in 1")[-1].text.lower()


async def test_a_message_a_change_says_to_someone_away_waits_for_their_return(
    bot: Harness,
) -> None:
    bot.slack.add_user(DEPUTY)
    thread = await bot.submit_request(START, END)
    await go_away(bot, DEPUTY, date(2027, 1, 4), date(2027, 1, 8))

    # The home manager hands the decision to the deputy, who is away: told, but not yet.
    await delegate(bot, thread, Side.HOME, DEPUTY)
    await bot.handled()
    assert [c for c in bot.thread_replies(thread) if "handed the home manager decision" in c.text]
    assert bot.slack.sent("chat.postMessage", channel=DEPUTY) == []
    await bot.sweep(at(8, 12))
    assert bot.slack.sent("chat.postMessage", channel=DEPUTY) == []

    await bot.sweep(at(11, 9))  # Monday, back
    assert says(bot, DEPUTY, "asked you to decide the *home manager* side")


@pytest.mark.settings(hr_users="U0HRPERSON")
async def test_time_away_whose_delegate_was_erased_ends_quietly(bot: Harness) -> None:
    hr = bot.slack.add_user("U0HRPERSON")
    bot.slack.add_user(DEPUTY)
    thread = await bot.submit_request(START, END)
    await go_away(bot, HOME, date(2027, 1, 4), date(2027, 1, 8), DEPUTY)
    await bot.handled()
    await bot.click(EMPLOYEE, Action.WITHDRAW, RequestRef(thread.secondment_id, 1), thread)
    await bot.handled()
    _, done = await bot.click(hr, Action.ERASE_PERSON, _Value(DEPUTY), thread)
    assert "erased from 1 secondment" in (await bot.reply_to(done)).text
    other = await bot.submit_request(START, END)  # a request whose reminders must still go

    await bot.sweep(at(11, 9))

    async with bot.sessions() as session:
        (absence,) = (await session.scalars(select(Absence))).all()
    assert (absence.ended_at, absence.delegate_id) == (at(11, 9), None)
    assert not [c for c in bot.thread_replies(other) if "time away is over" in c.text]
    assert says(bot, HOST, "A reminder")  # the sweep went on to send


async def test_time_away_is_forgotten_ninety_days_after_it_ends(bot: Harness) -> None:
    await go_away(bot, HOME, date(2027, 1, 5), date(2027, 1, 8))
    await go_away(bot, HOST, date(2027, 6, 7), date(2027, 6, 11))
    await bot.sweep(at(5, 9))
    await bot.sweep(at(11, 9))  # the home manager's has ended

    assert await forget_past_absences(bot.sessions, now=at(11, 9) + timedelta(days=89)) == 0
    assert await forget_past_absences(bot.sessions, now=at(11, 9) + timedelta(days=91)) == 1
    async with bot.sessions() as session:
        (kept,) = (await session.scalars(select(Absence))).all()
    assert kept.person_id == HOST  # still to come
