"""The sandbox goes on where it stopped: the next run in the same directory shows the same
workspace at the same moved time, and the bot's records still match its messages; even after a
kill -9, which saves nothing on its way out."""

from __future__ import annotations

import asyncio
import signal
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp

from bot.sandbox.clock import MovableClock
from bot.sandbox.run import Keys, sandbox_running
from bot.slack.ids import Action, Callback
from bot.slack_standin import saving
from bot.slack_standin.personas import EMPLOYEE, HOME_MANAGER, HOST_MANAGER
from bot.slack_standin.sandbox_face import sandbox_workspace
from tests.sandbox.steps import WAIT_LIMIT, Json, Page, click, modal, thread_of
from tests.support import forms
from tests.support.processes import free_port, sandbox_process

DM = "D" + EMPLOYEE.id[1:]


async def test_a_second_run_goes_on_from_the_first(tmp_path: Path) -> None:
    directory = tmp_path / ".sandbox"
    async with sandbox_running(directory, 0, Keys()) as sandbox, aiohttp.ClientSession() as http:
        page = Page(http, sandbox)
        start = sandbox.clock.now().date() + timedelta(weeks=3)
        await page.ok(
            "/api/command",
            {"as": EMPLOYEE.id, "channel": DM, "command": "/secondment", "text": "request"},
        )
        form = await page.until(EMPLOYEE.id, lambda s: modal(s, Callback.REQUEST))
        values = forms.request_values(
            home=HOME_MANAGER.id, host=HOST_MANAGER.id, start=start, end=start + timedelta(weeks=8)
        )
        await page.ok(
            "/api/submit", {"as": EMPLOYEE.id, "view_id": form["view_id"], "values": values}
        )
        channel, parent = await page.until(HOME_MANAGER.id, thread_of)
        moved = datetime.fromisoformat((await page.ok("/api/clock", {"days": 2}))["now"])

    async with sandbox_running(directory, 0, Keys()) as sandbox, aiohttp.ClientSession() as http:
        page = Page(http, sandbox)
        seen = await page.state(HOME_MANAGER.id)
        assert datetime.fromisoformat(seen["now"]) >= moved
        assert thread_of(seen) == (channel, parent)
        await click(page, HOME_MANAGER.id, channel, parent, Action.APPROVE)
        await page.until(EMPLOYEE.id, lambda s: (t := thread_of(s)) and t[1]["edited"])


async def test_a_kill_9_loses_nothing_the_page_has_shown(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/api/"

    async def state(http: aiohttp.ClientSession) -> Json:
        async with http.get(url + "state", params={"as": EMPLOYEE.id}) as response:
            return dict(await response.json())

    async with aiohttp.ClientSession() as http:
        async with sandbox_process(tmp_path, port) as process:
            async with http.get(url + "events") as events:
                await events.content.readline()  # the workspace as it starts
                command = {"as": EMPLOYEE.id, "channel": DM, "command": "/secondment"}
                async with http.post(url + "command", json={**command, "text": "help"}) as sent:
                    assert (await sent.json())["ok"]
                async with http.post(url + "clock", json={"days": 3}) as moved:
                    assert (await moved.json())["ok"]
            shown = await state(http)
            assert shown["messages"][DM], "the bot's help never arrived"
            process.send_signal(signal.SIGKILL)
            await asyncio.wait_for(process.wait(), WAIT_LIMIT)

        async with sandbox_process(tmp_path, port):
            again = await state(http)
    assert again["messages"][DM] == shown["messages"][DM]
    assert datetime.fromisoformat(again["now"]) >= datetime.fromisoformat(shown["now"])


def test_file_links_saved_by_an_earlier_run_point_at_the_pages_own_port() -> None:
    """Before the page served files, a link named the stand-in's port of the run that made it."""
    workspace = sandbox_workspace(MovableClock())
    saved = saving.saved(workspace)
    dm = next(c for c in saved["conversations"] if c["id"] == DM)
    old = {"name": "report.csv", "url": "http://127.0.0.1:41234/files/F00000007/report.csv"}
    dm["messages"] = [
        {
            "ts": "1800000000.000001",
            "user": "U0SANDBOT",
            "text": "",
            "blocks": None,
            "thread_ts": None,
            "replies": [],
            "visible_to": None,
            "edited": False,
            "files": [old],
            "metadata": None,
        }
    ]

    restored = sandbox_workspace(MovableClock())
    saving.restore(restored, saved)

    (message,) = restored.conversations[DM].messages
    assert message.files == [{"name": "report.csv", "url": "/files/F00000007/report.csv"}]
