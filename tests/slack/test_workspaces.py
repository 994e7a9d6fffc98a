"""Two workspaces, A and B, with the app installed in both (OAuth mode): nothing crosses between
them. A request from workspace A can neither see nor act on B's secondments, even when it names
B's own people; each workspace's reminders go out with its own bot token; and once B uninstalls
the app its reminders wait, untried, while A's go on, until B installs it again."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot.domain.decisions import DecisionRef
from bot.domain.states import Side, SideState
from bot.models import Nudge
from bot.slack.ids import Action
from bot.slack_standin.recorded import Call
from tests.support.flows import decisions
from tests.support.harness import EMPLOYEE, HOME, HOST, Harness
from tests.support.oauth import (
    B_EMPLOYEE,
    B_HOME,
    B_HOST,
    OAUTH,
    TEAM_A,
    TEAM_B,
    install,
    two_workspaces,
)

pytestmark = pytest.mark.settings(**OAUTH)
START, END = date(2027, 2, 1), date(2027, 7, 30)
HR_CHANNEL, HR_PERSON = "C0HRDESK", "U0HRPERSON"


def at(day: int, hour: int) -> datetime:
    return datetime(2027, 1, day, hour, tzinfo=UTC)


async def test_a_person_sees_only_the_secondments_of_the_workspace_they_act_from(
    bot: Harness,
) -> None:
    a, b = await two_workspaces(bot)
    await a.submit_request(START, END)
    b_thread = await b.submit_request(START, END, employee=B_EMPLOYEE, home=B_HOME, host=B_HOST)
    b_status = f"status {b_thread.secondment_id}"

    asked = {
        # B's secondment asked for from workspace A: by A's people, and by B's own employee.
        "a employee": await a.command(EMPLOYEE, b_status),
        "b employee in a": await a.command(B_EMPLOYEE, b_status),
        "b employee lists in a": await a.command(B_EMPLOYEE, "list"),
        "a home lists": await a.command(HOME, "list"),
        # The same from workspace B.
        "b employee": await b.command(B_EMPLOYEE, b_status),
        "b home lists": await b.command(B_HOME, "list"),
    }
    replies = {name: await bot.reply_to(reply) for name, (_, reply) in asked.items()}

    for name in ("a employee", "b employee in a"):
        assert "can't find secondment #2" in replies[name].text, name
        assert "Analytics engineer" not in replies[name].blocks_text, name
    assert "You have no secondments yet" in replies["b employee lists in a"].text
    assert "#1" in replies["a home lists"].blocks_text
    assert "#2" not in replies["a home lists"].blocks_text
    assert "Secondment #2" in replies["b employee"].blocks_text
    assert "#2" in replies["b home lists"].blocks_text
    assert "#1" not in replies["b home lists"].blocks_text


async def test_a_person_cannot_decide_a_secondment_of_another_workspace(bot: Harness) -> None:
    a, b = await two_workspaces(bot)
    await a.submit_request(START, END)
    b_thread = await b.submit_request(START, END, employee=B_EMPLOYEE, home=B_HOME, host=B_HOST)
    b_side = DecisionRef(b_thread.secondment_id, Side.HOME, 1)

    # B's decision button, clicked from workspace A: by B's own home manager, and by A's.
    _, b_manager_in_a = await a.click(B_HOME, Action.APPROVE, b_side, b_thread)
    _, a_manager = await a.click(HOME, Action.APPROVE, b_side, b_thread)

    for reply in (b_manager_in_a, a_manager):
        assert "can't find secondment #2" in (await bot.reply_to(reply)).text
    assert (await bot.secondment(b_thread.secondment_id)).home_state is SideState.PENDING
    assert await decisions(bot) == []

    # The same click from workspace B decides, and B's thread is updated with B's token.
    await b.click(B_HOME, Action.APPROVE, b_side, b_thread)
    (update,) = await bot.slack.wait_for("chat.update", where=lambda c: c.body["ts"] == b_thread.ts)
    assert update.team == TEAM_B
    assert (await bot.secondment(b_thread.secondment_id)).home_state is SideState.APPROVED


async def test_each_workspaces_reminders_go_out_with_its_own_token_and_wait_while_it_is_away(
    bot: Harness,
) -> None:
    a, b = await two_workspaces(bot)
    await a.submit_request(START, END)  # Monday 4 January, 10:00 in London
    b_thread = await b.submit_request(START, END, employee=B_EMPLOYEE, home=B_HOME, host=B_HOST)

    assert await bot.sweep(at(7, 9)) == 4  # the third working day: each side is reminded
    first = reminders(bot)
    assert {c.body["channel"]: c.team for c in first} == {
        HOME: TEAM_A,
        HOST: TEAM_A,
        B_HOME: TEAM_B,
        B_HOST: TEAM_B,
    }
    assert all(c.error is None for c in first)

    bot.slack.uninstall(TEAM_B)
    await b.send_event({"type": "app_uninstalled"})
    assert await bot.sweep(at(12, 9)) == 2  # the sixth working day: only A's second reminders
    assert await bot.sweep(at(12, 10)) == 0  # B's wait, untried: no token to try them with

    second = reminders(bot)[len(first) :]
    assert {c.body["channel"]: c.team for c in second} == {HOME: TEAM_A, HOST: TEAM_A}
    assert [c for c in bot.slack.calls if c.error == "invalid_auth"] == []  # no revoked token
    waiting = await second_reminders(bot, b_thread.secondment_id)
    assert {(n.recipient_id, n.attempts, n.sent_at, n.cancelled_at) for n in waiting} == {
        (B_HOME, 0, None, None),
        (B_HOST, 0, None, None),
    }

    # B installs the app again: its reminders go out with its new token.
    await install(bot, TEAM_B, installer=B_HOME)
    assert await bot.sweep(at(12, 11)) == 2
    third = reminders(bot)[len(first) + len(second) :]
    assert {c.body["channel"]: (c.team, c.error) for c in third} == {
        B_HOME: (TEAM_B, None),
        B_HOST: (TEAM_B, None),
    }
    assert all(n.sent_at for n in await second_reminders(bot, b_thread.secondment_id))


async def second_reminders(bot: Harness, secondment_id: int) -> list[Nudge]:
    async with bot.sessions() as session:
        return list(
            await session.scalars(
                select(Nudge).where(Nudge.secondment_id == secondment_id, Nudge.sequence == 2)
            )
        )


@pytest.mark.settings(**OAUTH, hr_channel=HR_CHANNEL)
async def test_the_hr_channel_gives_hr_powers_only_in_the_workspace_that_can_read_it(
    bot: Harness,
) -> None:
    bot.slack.add_channel(HR_CHANNEL, [HR_PERSON])  # a channel of workspace A
    a, b = await two_workspaces(bot)
    await a.submit_request(START, END)
    b_thread = await b.submit_request(START, END, employee=B_EMPLOYEE, home=B_HOME, host=B_HOST)

    _, in_a = await a.command(HR_PERSON, "status 1")
    _, in_b = await b.command(HR_PERSON, f"status {b_thread.secondment_id}")

    assert "Secondment #1" in (await bot.reply_to(in_a)).blocks_text  # HR in A
    # In B the channel is out of sight: A's members, read a moment ago, do not count there.
    assert "can't find secondment #2" in (await bot.reply_to(in_b)).text
    reads = bot.slack.sent("conversations.members")
    assert [(c.team, c.error) for c in reads] == [(TEAM_A, None), (TEAM_B, "channel_not_found")]


def reminders(bot: Harness) -> list[Call]:
    return [c for c in bot.slack.sent("chat.postMessage") if "reminder" in c.text]
