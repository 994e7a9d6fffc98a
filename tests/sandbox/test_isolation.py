"""The sandbox stays apart from the real bot's configuration and keeps Slack's checks: its
requests reach the bot signed, and it never reads DATABASE_URL, Slack credentials or `.env`."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from bot.sandbox.actions import People, Refused
from bot.sandbox.run import Keys, sandbox_running
from bot.sandbox.wire import JSON, app_home_opened, sign
from bot.slack_standin.personas import EMPLOYEE
from bot.slack_standin.seen import seen_by
from bot.web import EVENTS_PATH
from tests.sandbox.steps import Page

DM = "D" + EMPLOYEE.id[1:]


async def test_the_bot_refuses_a_request_signed_with_another_secret(page: Page) -> None:
    sandbox = page.sandbox
    events = f"http://127.0.0.1:{sandbox.bot.port}{EVENTS_PATH}"
    body = app_home_opened(EMPLOYEE.id, team_id="T0SANDBOX", bot_user_id="U0SANDBOT")
    forged = sign(body, secret="f" * 32, content_type=JSON)
    async with page.http.post(events, data=body, headers=forged) as response:
        assert response.status == 401

    # The page's own path signs with the sandbox's secret; with another, the bot refuses it.
    impostor = People(sandbox.people.slack, events, "f" * 32, page.http)
    with pytest.raises(Refused, match="HTTP 401"):
        await impostor.command(EMPLOYEE.id, DM, "/secondment", "help")
    assert seen_by(sandbox.workspace, EMPLOYEE.id)["messages"][DM] == []

    await page.ok(
        "/api/command", {"as": EMPLOYEE.id, "channel": DM, "command": "/secondment", "text": "help"}
    )
    (reply,) = await page.until(EMPLOYEE.id, lambda s: s["messages"][DM])
    assert reply["ephemeral"] and "/secondment" in reply["text"] + str(reply["blocks"])


async def test_the_sandbox_never_reads_the_bots_database_or_slack_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "real.db"
    from_dotenv = tmp_path / "dotenv.db"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{real}")
    monkeypatch.setenv("SLACK_API_URL", "https://slack.com/api/")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-real")
    monkeypatch.setenv("HR_CHANNEL", "C0REALHR")
    (tmp_path / ".env").write_text(f"DATABASE_URL=sqlite+aiosqlite:///{from_dotenv}\n")

    async with (
        sandbox_running(Path(".sandbox"), 0, Keys()) as sandbox,
        aiohttp.ClientSession() as http,
    ):
        page = Page(http, sandbox)
        await page.ok(
            "/api/command",
            {"as": EMPLOYEE.id, "channel": DM, "command": "/secondment", "text": "request"},
        )
        await page.until(EMPLOYEE.id, lambda s: s["modals"])
        settings = sandbox.settings

    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / '.sandbox' / 'sandbox.db'}"
    assert (tmp_path / ".sandbox" / "sandbox.db").exists()
    assert not real.exists() and not from_dotenv.exists()
    assert settings.slack_api_url.startswith("http://127.0.0.1:")
    assert (settings.slack_app_token, settings.hr_channel) == (None, None)
