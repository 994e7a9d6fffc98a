"""The `secondment-bot` command (bot/cli.py), run as an operator runs it, in a process of its own
and an empty directory: `check` says in one line what is wrong, `migrate` brings a new database
up to date, `sandbox` serves its page, and bad settings each get one plain line."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

import aiohttp

from bot.db import head_revision
from bot.slack_standin.recorded import WAIT_LIMIT
from tests.support import wire
from tests.support.processes import CHECKOUT, environment, free_port, sandbox_process
from tests.support.standin import BOT_TOKEN, SlackStandIn

REFUSED = "xoxb-1111111111-2222222222222-RevokedRevokedRevoked"


async def run(tmp_path: Path, *args: str, **settings: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=tmp_path,
        env=environment(PYTHONPATH=CHECKOUT, **settings),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), WAIT_LIMIT)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


def slack_settings(slack: SlackStandIn, token: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": token,
        "SLACK_SIGNING_SECRET": wire.SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
    }


async def test_check_with_a_token_slack_refuses_prints_one_line_and_fails(
    tmp_path: Path, slack: SlackStandIn
) -> None:
    code, stdout, stderr = await run(tmp_path, "check", **slack_settings(slack, REFUSED))

    assert code == 1
    assert stderr.splitlines() == [
        "SLACK_BOT_TOKEN: Slack refuses it (invalid_auth). Copy the Bot User OAuth Token "
        "(xoxb-...) from your app's OAuth & Permissions page, or reinstall the app."
    ]
    assert stdout == "" and "Revoked" not in stderr
    assert [c.method for c in slack.calls] == ["auth.test"]


async def test_check_with_good_settings_says_so(tmp_path: Path, slack: SlackStandIn) -> None:
    code, stdout, stderr = await run(tmp_path, "check", **slack_settings(slack, BOT_TOKEN))

    assert (code, stderr) == (0, "")
    assert stdout.strip() == "Settings are fine, and Slack accepts SLACK_BOT_TOKEN."


async def test_check_with_slack_not_answering_fails_with_one_line(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    code, _, stderr = await run(
        tmp_path,
        "check",
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=wire.SIGNING_SECRET,
        SLACK_API_URL=f"http://127.0.0.1:{port}/api/",
    )

    assert code == 1
    assert stderr.splitlines() == ["SLACK_API_URL: Slack is not answering (ClientConnectorError)"]


async def test_each_bad_setting_gets_one_plain_line_with_an_example(tmp_path: Path) -> None:
    code, _, stderr = await run(
        tmp_path,
        "check",
        SLACK_BOT_TOKEN="xoxb-1",
        SLACK_SIGNING_SECRET=wire.SIGNING_SECRET,
        PORT="three-thousand",
        SWEEP_INTERVAL_SECONDS="0",
        DATABASE_URL="postgresql://admin:hunter2@db/bot",
    )

    assert code == 2
    lines = stderr.splitlines()
    assert lines[0] == "Configuration error:"
    (token,) = [line for line in lines if line.startswith("  SLACK_BOT_TOKEN")]
    assert token.startswith("  SLACK_BOT_TOKEN is not a whole bot token")
    assert "For example: SLACK_BOT_TOKEN=xoxb-" in token
    assert "  PORT must be a whole number. For example: PORT=3000" in lines
    assert (
        "  SWEEP_INTERVAL_SECONDS must be more than 0. For example: SWEEP_INTERVAL_SECONDS=5.0"
        in lines
    )
    assert any(line.startswith("  DATABASE_URL must use an async driver") for line in lines)
    assert "hunter2" not in stderr and "three-thousand" not in stderr  # not repeated
    assert "Traceback" not in stderr and "pydantic" not in stderr
    assert lines[-1] == "See .env.example and the README's configuration table."


async def test_migrate_brings_a_new_database_up_to_date(tmp_path: Path) -> None:
    database = tmp_path / "new.db"

    code, stdout, stderr = await run(
        tmp_path, "migrate", DATABASE_URL=f"sqlite+aiosqlite:///{database}"
    )

    assert (code, stderr) == (0, "")
    assert stdout.strip() == f"The database is up to date (revision {head_revision()})."
    with sqlite3.connect(database) as connection:
        (version,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert version == head_revision()


async def test_sandbox_serves_its_page_from_an_empty_directory(tmp_path: Path) -> None:
    port = free_port()
    async with sandbox_process(tmp_path, port, stderr=asyncio.subprocess.PIPE) as process:
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/") as page,
        ):
            assert page.status == 200
            assert "Secondment" in await page.text()
        assert (tmp_path / ".sandbox").is_dir()
    assert process.returncode == 0
    # The page's address is all it says: not the bot's migrations, nor its internal port.
    assert process.stderr is not None
    logged = (await process.stderr.read()).decode()
    assert "alembic" not in logged and "serving on port" not in logged, logged
    assert "Adding job" not in logged and "Traceback" not in logged, logged
