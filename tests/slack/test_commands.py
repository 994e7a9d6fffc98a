"""`/secondment list`, `status` and `help`: private answers, and only the user's own secondments."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.decisions import DecisionRef
from bot.domain.states import Side
from bot.slack.ids import Action, Callback
from tests.support import forms
from tests.support.flows import click_then_submit
from tests.support.harness import EMPLOYEE, HOME, HOST, OUTSIDER, Harness

START, END = date(2027, 2, 1), date(2027, 7, 30)


@pytest.mark.parametrize("text", ["help", "", "   ", "frobnicate"])
async def test_help_explains_the_commands(bot: Harness, text: str) -> None:
    response, reply_name = await bot.command(EMPLOYEE, text)

    assert response.status == 200
    reply = await bot.reply_to(reply_name)
    assert reply.body["response_type"] == "ephemeral"
    for command in ("/secondment request", "/secondment list", "/secondment status"):
        assert command in reply.text
    assert ("I don't know `frobnicate`" in reply.text) == (text == "frobnicate")


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("status", "`/secondment status` needs a secondment's number: for example "),
        ("status abc", "`/secondment status abc` needs a secondment's number"),
        ("status ²", "`/secondment status ²` needs a secondment's number"),
        ("checkins 3", "`/secondment checkins 3` needs a number and weeks: for example "),
    ],
)
async def test_a_subcommand_without_what_it_needs_says_what_it_needs(
    bot: Harness, text: str, answer: str
) -> None:
    response, reply_name = await bot.command(EMPLOYEE, text)

    reply = await bot.reply_to(reply_name)
    assert response.status == 200
    assert reply.text.startswith(answer), reply.text
    assert "`/secondment list` shows your secondments" in reply.text


async def test_list_shows_each_persons_secondments_in_their_role(bot: Harness) -> None:
    bot.slack.add_user("U0OTHER")
    await bot.submit_request(START, END)
    await bot.submit_request(START, END, employee="U0OTHER", home=HOST, host=HOME)

    replies = {}
    for user in (EMPLOYEE, HOME, OUTSIDER):
        _, reply_name = await bot.command(user, "list")
        replies[user] = (await bot.reply_to(reply_name)).blocks_text

    assert "#1" in replies[EMPLOYEE] and "#2" not in replies[EMPLOYEE]
    assert "(you: employee)" in replies[EMPLOYEE]
    assert "#1" in replies[HOME] and "#2" in replies[HOME]
    assert "(you: home manager)" in replies[HOME] and "(you: host manager)" in replies[HOME]
    assert "You have no secondments yet" in replies[OUTSIDER]


async def test_status_shows_one_secondment_to_its_parties_only(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)
    await bot.click(HOME, Action.APPROVE, DecisionRef(1, Side.HOME, 1), thread)
    await bot.slack.wait_for("chat.update")

    _, mine = await bot.command(EMPLOYEE, "status 1")
    _, theirs = await bot.command(OUTSIDER, "status #1")
    _, missing = await bot.command(EMPLOYEE, "status 99")

    shown = (await bot.reply_to(mine)).blocks_text
    for expected in (
        "Secondment #1",
        "Awaiting decisions",
        "Analytics engineer",
        "Home manager <@U0HOME>: approved",
        "Host manager <@U0HOST>: pending",
        "You are the employee",
        "Open the approval thread",
    ):
        assert expected in shown, expected
    refused = (await bot.reply_to(theirs)).text
    assert "can't find secondment #1 among yours" in refused
    assert "Analytics engineer" not in refused
    assert "can't find secondment #99" in (await bot.reply_to(missing)).text


@pytest.mark.settings(hr_users="U0HRPERSON")
async def test_hr_can_see_any_secondment_and_delegates_see_theirs(bot: Harness) -> None:
    bot.slack.add_user("U0HRPERSON")
    bot.slack.add_user("U0DEPUTY")
    thread = await bot.submit_request(START, END)
    await click_then_submit(
        bot,
        HOME,
        Action.DELEGATE,
        DecisionRef(1, Side.HOME, 1),
        thread,
        Callback.DELEGATE,
        forms.delegate_values("U0DEPUTY"),
    )
    await bot.slack.wait_for("chat.update")

    _, as_hr = await bot.command("U0HRPERSON", "status 1")
    _, as_deputy = await bot.command("U0DEPUTY", "list")
    _, not_hr = await bot.command(OUTSIDER, "status 1")

    hr_view = (await bot.reply_to(as_hr)).blocks_text
    assert "Secondment #1" in hr_view and "You are viewing this as HR" in hr_view
    deputy_list = (await bot.reply_to(as_deputy)).blocks_text
    assert "#1" in deputy_list and "(you: home manager's delegate)" in deputy_list
    assert "can't find secondment #1" in (await bot.reply_to(not_hr)).text
