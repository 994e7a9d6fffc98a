"""What the page's server keeps for the page: Slackbot's answer to a command the workspace does
not have, unread counts per conversation and per person, a stream that tells the page of each
change, starting over, and shared files served on the page's own port."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.models import Secondment
from bot.sandbox.clock import MovableClock
from bot.slack.ids import Callback
from bot.slack_standin.personas import COMMANDS, EMPLOYEE, HOME_MANAGER, HOST_MANAGER, HR
from tests.sandbox.steps import WAIT_LIMIT, Json, Page, groups, modal, thread_of
from tests.support import forms

EMP, HOME, HOST = EMPLOYEE.id, HOME_MANAGER.id, HOST_MANAGER.id
DM = "D" + EMP[1:]
LONDON = ZoneInfo("Europe/London")


async def request(page: Page) -> tuple[str, Json]:
    """The employee asks for a secondment: the approval thread, once the managers have it."""
    await page.ok(
        "/api/command", {"as": EMP, "channel": DM, "command": "/secondment", "text": "request"}
    )
    form = await page.until(EMP, lambda s: modal(s, Callback.REQUEST))
    start = page.sandbox.clock.now().date() + timedelta(weeks=3)
    values = forms.request_values(home=HOME, host=HOST, start=start, end=start + timedelta(weeks=8))
    await page.ok("/api/submit", {"as": EMP, "view_id": form["view_id"], "values": values})
    found: tuple[str, Json] = await page.until(HOME, thread_of)
    return found


def unread(state: Json, channel: str) -> int:
    return int(next(c["unread"] for c in state["conversations"] if c["id"] == channel))


def waiting(state: Json, person: str) -> int:
    return int(next(p["waiting"] for p in state["personas"] if p["id"] == person))


async def test_a_command_the_workspace_lacks_gets_slackbots_words_and_never_reaches_the_bot(
    page: Page,
) -> None:
    await page.ok("/api/command", {"as": EMP, "channel": DM, "command": "/foo", "text": "<b>"})

    (answer,) = (await page.state(EMP))["messages"][DM]
    assert answer["user"] == "USLACKBOT" and answer["ephemeral"]
    assert answer["text"].startswith("/foo is not a valid command. In Slack, all messages")
    assert (await page.state(EMP))["users"]["USLACKBOT"] == {"name": "Slackbot"}
    assert (await page.state(HOME))["messages"]["D" + HOME[1:]] == []
    async with page.sandbox.bot.deps.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Secondment)) == 0


async def test_unread_counts_per_conversation_and_per_person_go_down_once_read(page: Page) -> None:
    channel, _ = await request(page)
    before = await page.state(HOME)
    assert unread(before, channel) >= 1
    assert waiting(before, HOME) == sum(c["unread"] for c in before["conversations"])
    host_waiting = waiting(before, HOST)
    assert host_waiting >= 1

    await page.ok("/api/read", {"as": HOME, "channel": channel})

    after = await page.state(HOME)
    assert unread(after, channel) == 0
    assert waiting(after, HOME) == waiting(before, HOME) - unread(before, channel)
    # Seen by anyone else, it is still new to the host manager.
    assert waiting(after, HOST) == host_waiting
    # What the employee did themselves was never new to them.
    own = await page.state(EMP)
    assert unread(own, channel) == len(
        [m for m in own["messages"][channel] if m["user"] != EMP]
        + [r for m in own["messages"][channel] for r in m["replies"] if r["user"] != EMP]
    )


async def test_the_event_stream_tells_the_page_of_each_change(page: Page) -> None:
    async with page.http.get(page.sandbox.url + "api/events") as stream:
        assert stream.headers["Content-Type"] == "text/event-stream"

        async def told() -> int:
            line = await asyncio.wait_for(stream.content.readline(), WAIT_LIMIT)
            assert (await stream.content.readline()) == b"\n"
            return int(line.decode().removeprefix("data: "))

        first = await told()
        await page.ok("/api/command", {"as": EMP, "channel": DM, "command": "/foo", "text": ""})
        assert await told() > first


async def test_reset_starts_over_with_no_secondments_at_the_real_time(page: Page) -> None:
    await request(page)
    await page.ok("/api/clock", {"days": 30})

    await page.ok("/api/reset", {})

    for person in (EMP, HOME, HOST, HR.id):
        state = await page.state(person)
        assert groups(state) == [] and not any(state["messages"].values())
        assert state["modals"] == [] and state["home"] is None
    # The clock is the real time again: no offset (and so no moved days) left.
    assert page.sandbox.clock.offset == timedelta(0)
    async with page.sandbox.bot.deps.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Secondment)) == 0
    # The bot runs on: the next request is the first again.
    _, parent = await request(page)
    assert "#1" in parent["text"]


async def test_a_shared_file_is_served_on_the_pages_own_port(page: Page) -> None:
    await request(page)
    hr_dm = "D" + HR.id[1:]
    await page.ok(
        "/api/command", {"as": HR.id, "channel": hr_dm, "command": "/secondment", "text": "report"}
    )
    files = await page.until(HR.id, lambda s: [f for m in s["messages"][hr_dm] for f in m["files"]])
    (shared,) = files
    assert shared["url"].startswith("/files/") and shared["name"].endswith(".csv")
    async with page.http.get(page.sandbox.url + shared["url"].lstrip("/")) as response:
        assert response.status == 200
        header, first = (await response.text()).splitlines()[:2]
    assert header.startswith("id,status,host_team") and first.startswith("1,")


def test_the_sandbox_has_the_commands_the_manifest_gives_the_app() -> None:
    manifest = json.loads((Path(__file__).resolve().parents[2] / "manifest.json").read_text())
    assert {c["command"] for c in manifest["features"]["slash_commands"]} == COMMANDS


@pytest.mark.parametrize(("hour", "lands"), [(5, 10), (9, 10), (14, 14)])
def test_moving_the_clock_by_days_lands_in_the_working_day(hour: int, lands: int) -> None:
    clock = MovableClock()
    now = clock.now().astimezone(LONDON)
    at = datetime.combine(now.date() + timedelta(days=1), time(hour, 30), LONDON)
    clock.advance(at - clock.now())

    moved = clock.advance_days(7).astimezone(LONDON)

    assert moved.date() == at.date() + timedelta(days=7)
    assert (moved.hour, moved.minute) == ((lands, 0) if lands != hour else (hour, 30))


def test_a_move_by_days_keeps_the_time_of_day_across_a_clock_change() -> None:
    clock = MovableClock()
    # 10:00 GMT on 15 March of next year (whatever today is): British Summer Time begins on the
    # last Sunday of March, so 60 days on is in summer time.
    year = clock.now().year + 1
    clock.advance(datetime(year, 3, 15, 10, tzinfo=LONDON) - clock.now())

    moved = clock.advance_days(60).astimezone(LONDON)

    assert (moved.date(), moved.hour, moved.minute) == (date(year, 5, 14), 10, 0)


@pytest.mark.parametrize("days", [-1, 3651])
async def test_a_move_back_or_of_more_than_ten_years_is_refused(page: Page, days: int) -> None:
    offset = page.sandbox.clock.offset

    status, answer = await page.post("/api/clock", {"days": days})

    assert (status, answer["ok"]) == (400, False)
    assert "1 to 3650 days" in answer["error"]
    assert page.sandbox.clock.offset == offset


async def test_a_new_modal_takes_the_place_of_one_left_open(page: Page) -> None:
    """A form left open (the page reloaded, say) is gone in Slack once another is opened."""
    command = {"as": EMP, "channel": DM, "command": "/secondment", "text": "request"}
    await page.ok("/api/command", command)
    first = await page.until(EMP, lambda s: modal(s, Callback.REQUEST))

    await page.ok("/api/command", command)

    second = await page.until(
        EMP, lambda s: (m := s["modals"]) and m[0]["view_id"] != first["view_id"] and m
    )
    assert len(second) == 1
