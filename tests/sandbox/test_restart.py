"""The sandbox goes on where it stopped: the next run in the same directory shows the same
workspace at the same moved time, and the bot's records still match its messages."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import aiohttp

from bot.sandbox.personas import EMPLOYEE, HOME_MANAGER, HOST_MANAGER
from bot.sandbox.run import Keys, sandbox_running
from bot.slack.ids import Action, Callback
from tests.sandbox.steps import Page, click, modal, thread_of
from tests.support import forms

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
