"""The sandbox's JSON API end to end against the real bot: a request made, decided, started and
checked in on, each step taken as one persona and seen as each of the others."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.models import Decision
from bot.slack.ids import Action, Callback
from bot.slack_standin.personas import EMPLOYEE, HOME_MANAGER, HOST_MANAGER, HR
from tests.sandbox.steps import Json, Page, button, click, groups, modal, texts, thread_of
from tests.support import forms

EMP, HOME, HOST = EMPLOYEE.id, HOME_MANAGER.id, HOST_MANAGER.id
DM = "D" + EMP[1:]
LONDON = ZoneInfo("Europe/London")


def confirmed(state: Json) -> bool:
    """The employee has the bot's confirmation that their request is with both managers."""
    return "is in writing and with" in texts(state["messages"][DM])


def next_monday(after: date) -> date:
    return after + timedelta(days=7 - after.weekday())


async def test_a_request_decided_started_and_checked_in_through_the_page(page: Page) -> None:
    today = page.sandbox.clock.now().astimezone(LONDON).date()
    start = next_monday(today + timedelta(days=7))
    end = start + timedelta(weeks=12)

    # The employee types /secondment request: the form opens in their modal stack only.
    await page.ok(
        "/api/command", {"as": EMP, "channel": DM, "command": "/secondment", "text": "request"}
    )
    form = await page.until(EMP, lambda s: modal(s, Callback.REQUEST))
    assert (await page.state(HOME))["modals"] == []
    values = forms.request_values(home=HOME, host=HOST, start=start, end=end)
    await page.ok("/api/submit", {"as": EMP, "view_id": form["view_id"], "values": values})

    # The approval thread: in the group DM of the three, which HR is not in. The employee's
    # confirmation comes once the bot has recorded the thread, which a decision re-renders.
    channel, parent = await page.until(HOME, thread_of)
    await page.until(EMP, confirmed)
    assert (await page.state(EMP))["modals"] == []
    for person in (EMP, HOST):
        assert thread_of(await page.state(person)) == (channel, parent)
    assert groups(await page.state(HR.id)) == []
    assert "Data Platform" in texts([parent])

    # The home manager approves in the thread: recorded, and the parent shows it.
    await click(page, HOME, channel, parent, Action.APPROVE)
    parent = await page.until(EMP, lambda s: (t := thread_of(s)) and t[1]["edited"] and t[1])
    assert f"<@{HOME}>" in texts([parent]) and "approved" in texts([parent]).lower()
    async with page.sandbox.bot.deps.sessions() as session:
        (decision,) = await session.scalars(select(Decision))
    assert decision.decided_by == HOME

    # The host manager opens Block; a reason too short comes back as a field error.
    await click(page, HOST, channel, parent, Action.BLOCK)
    block = await page.until(HOST, lambda s: modal(s, Callback.BLOCK))
    status, answer = await page.post(
        "/api/submit",
        {"as": HOST, "view_id": block["view_id"], "values": forms.block_values(explanation="No")},
    )
    assert status == 200 and answer["ok"] is False and answer["errors"]
    reopened = modal(await page.state(HOST), Callback.BLOCK)
    assert reopened is not None
    assert reopened["errors"] == answer["errors"]
    await page.ok("/api/close", {"as": HOST, "view_id": block["view_id"]})
    assert (await page.state(HOST))["modals"] == []

    # The host manager approves instead: the thread says both have.
    await click(page, HOST, channel, parent, Action.APPROVE)
    await page.until(EMP, lambda s: "Both managers have approved" in texts(s["messages"][channel]))

    # The clock moves to the start: the employee's welcome arrives in their DM.
    moved = await page.ok("/api/clock", {"days": (start - today).days + 1, "hours": 0})
    assert moved["sent"] >= 1
    moved_to = datetime.fromisoformat(moved["now"])
    assert moved_to.astimezone(LONDON).date() == start + timedelta(days=1)
    assert datetime.fromisoformat((await page.state(EMP))["now"]) >= moved_to
    welcome = await page.until(EMP, lambda s: "Welcome to" in texts(s["messages"][DM]))
    assert welcome

    # Two weeks on, the check-in: answered On track through its modal.
    await page.ok("/api/clock", {"days": 14, "hours": 0})
    check_in = await page.until(
        EMP,
        lambda s: next(
            (m for m in s["messages"][DM] if "How is your secondment" in m["text"]), None
        ),
    )
    await click(page, EMP, DM, check_in, Action.CHECK_IN_ON_TRACK)
    answering = await page.until(EMP, lambda s: modal(s, Callback.CHECK_IN))
    answer_values = {
        "check_in_note": {"check_in_note": forms.text("Going well.")},
        "check_in_share": {"check_in_share": forms.checkboxes([])},
    }
    await page.ok(
        "/api/submit", {"as": EMP, "view_id": answering["view_id"], "values": answer_values}
    )
    await page.until(EMP, lambda s: "Thanks: " in texts(s["messages"][DM]))
    assert (await page.state(EMP))["modals"] == []

    # The App Home, once opened: the employee's own secondment, and HR's overview of it.
    assert (await page.state(EMP))["home"] is None
    await page.ok("/api/home", {"as": EMP})
    home = await page.until(EMP, lambda s: s["home"])
    assert "Data Platform" in json.dumps(home["view"])
    await page.ok("/api/home", {"as": HR.id})
    hr_home = await page.until(HR.id, lambda s: s["home"])
    assert "Data Platform" in json.dumps(hr_home["view"])


async def test_the_clock_brings_the_end_of_term_question_and_then_the_debrief(
    page: Page,
) -> None:
    today = page.sandbox.clock.now().astimezone(LONDON).date()
    start = next_monday(today + timedelta(days=7))
    end = start + timedelta(weeks=12)  # a Monday
    await page.ok(
        "/api/command", {"as": EMP, "channel": DM, "command": "/secondment", "text": "request"}
    )
    form = await page.until(EMP, lambda s: modal(s, Callback.REQUEST))
    values = forms.request_values(home=HOME, host=HOST, start=start, end=end)
    await page.ok("/api/submit", {"as": EMP, "view_id": form["view_id"], "values": values})
    channel, parent = await page.until(HOME, thread_of)
    await page.until(EMP, confirmed)
    await click(page, HOME, channel, parent, Action.APPROVE)
    parent = await page.until(HOST, lambda s: (t := thread_of(s)) and t[1]["edited"] and t[1])
    await click(page, HOST, channel, parent, Action.APPROVE)
    await page.until(EMP, lambda s: "Both managers have approved" in texts(s["messages"][channel]))

    # 25 days before the end: the question (due 30 days before, on the next working day at
    # 09:00) has reached the employee and both managers, each in their DM with the bot.
    await page.ok("/api/clock", {"days": (end - today).days - 25, "hours": 0})
    for person in (EMP, HOME, HOST):
        dm = "D" + person[1:]

        def question(s: Json, dm: str = dm) -> Json | None:
            return next((m for m in s["messages"][dm] if "What happens then" in m["text"]), None)

        asked = await page.until(person, question)
        assert button(asked["blocks"], Action.CONFIRM_RETURN)["type"] == "button"

    # The day after the end: the return debrief is asked of the employee and the home manager.
    await page.ok("/api/clock", {"days": 26, "hours": 0})
    for person in (EMP, HOME):
        dm = "D" + person[1:]

        def asked_for_the_debrief(s: Json, dm: str = dm) -> bool:
            return "please hold the return debrief" in texts(s["messages"][dm])

        await page.until(person, asked_for_the_debrief)


async def test_a_calendar_link_in_the_sandbox_is_served_by_the_page(page: Page) -> None:
    """The sandbox's calendar links point at the page itself, which a calendar app can reach."""
    await page.ok(
        "/api/command", {"as": EMP, "channel": DM, "command": "/secondment", "text": "calendar"}
    )
    reply = await page.until(
        EMP, lambda s: next((m for m in s["messages"][DM] if "/calendar/" in m["text"]), None)
    )
    link = next(word for word in reply["text"].split() if "/calendar/" in word)

    assert link.startswith(page.sandbox.url + "calendar/") and link.endswith(".ics")
    async with page.http.get(link) as feed:
        assert feed.status == 200
        assert feed.headers["Content-Type"] == "text/calendar; charset=utf-8"
        assert (await feed.text()).startswith("BEGIN:VCALENDAR")
    async with page.http.get(page.sandbox.url + "calendar/" + "A" * 43 + ".ics") as unknown:
        assert unknown.status == 404
    # Only a feed's path is passed on to the bot, never one that climbs to another of its own.
    climbing = page.sandbox.url + "calendar/..%2F..%2Fmetrics"
    async with page.http.get(climbing) as metrics:
        assert metrics.status == 404
        assert "HELP" not in await metrics.text()
