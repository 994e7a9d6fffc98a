"""`python app.py` as an operator runs it: configuration errors name the variable, the bot
migrates and serves HTTP or Socket Mode, `/healthz` tells readiness, and SIGTERM stops it."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sqlite3
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.db import make_engine
from bot.metrics import Metrics
from bot.setting_checks import OAUTH_REDIRECT_PATH
from bot.slack_standin.recorded import WAIT_LIMIT
from bot.web import build_web_app
from tests.support import wire
from tests.support.processes import environment, free_port
from tests.support.standin import APP_TOKEN, BOT_TOKEN, CLIENT_ID, CLIENT_SECRET, SlackStandIn

ROOT = Path(__file__).resolve().parent.parent


async def _run_to_exit(tmp_path: Path, **settings: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "app.py"),
        cwd=tmp_path,
        env=environment(**settings),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), WAIT_LIMIT)
    assert process.returncode is not None
    return process.returncode, stderr.decode()


async def test_missing_tokens_are_named_and_the_bot_exits(tmp_path: Path) -> None:
    code, stderr = await _run_to_exit(tmp_path)

    assert code == 2
    assert "SLACK_BOT_TOKEN is required but not set" in stderr
    assert "SLACK_SIGNING_SECRET is required but not set" in stderr
    assert "Traceback" not in stderr


async def test_malformed_settings_are_named_without_echoing_secrets(tmp_path: Path) -> None:
    code, stderr = await _run_to_exit(
        tmp_path,
        SLACK_BOT_TOKEN="xoxp-user-token-by-mistake",
        SLACK_SIGNING_SECRET="not-hex-secret-value",
        DATABASE_URL="sqlite:///plain.db",
    )

    assert code == 2
    assert "SLACK_BOT_TOKEN must be a bot token starting with xoxb-" in stderr
    assert "SLACK_SIGNING_SECRET must be the app's signing secret" in stderr
    assert "DATABASE_URL must use an async driver" in stderr
    assert "xoxp-user-token-by-mistake" not in stderr and "not-hex-secret-value" not in stderr


async def test_a_bot_token_slack_refuses_stops_the_bot_with_one_line(
    tmp_path: Path, slack: SlackStandIn
) -> None:
    code, stderr = await _run_to_exit(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-1111111111-2222222222222-RevokedRevokedRevoked",
        SLACK_SIGNING_SECRET=wire.SIGNING_SECRET,
        SLACK_API_URL=slack.api_url,
        PORT=str(free_port()),
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
    )

    assert code == 2
    assert "SLACK_BOT_TOKEN: Slack refuses it (invalid_auth)" in stderr
    assert "Traceback" not in stderr and "RevokedRevokedRevoked" not in stderr
    assert [c.method for c in slack.calls] == ["auth.test"]


class Running:
    """A bot process and the lines it has logged."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []

    async def wait_for_line(self, marker: str) -> None:
        assert self.process.stderr is not None

        async def read() -> None:
            while not any(marker in line for line in self.lines):
                line = await self.process.stderr.readline()  # type: ignore[union-attr]
                assert line, f"the bot exited before logging {marker!r}: {self.lines}"
                self.lines.append(line.decode())

        await asyncio.wait_for(read(), WAIT_LIMIT)

    async def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        await self.wait_for_line("shutting down")
        return await asyncio.wait_for(self.process.wait(), WAIT_LIMIT)


@pytest.fixture
async def slack() -> AsyncIterator[SlackStandIn]:
    standin = SlackStandIn()
    await standin.start()
    yield standin
    await standin.stop()


async def _start(tmp_path: Path, slack: SlackStandIn, port: int, **extra: str) -> Running:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "app.py"),
        cwd=tmp_path,
        env=environment(
            SLACK_SIGNING_SECRET=wire.SIGNING_SECRET,
            SLACK_API_URL=slack.api_url,
            PORT=str(port),
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
            **{"SLACK_BOT_TOKEN": BOT_TOKEN, **extra},
        ),
        stderr=asyncio.subprocess.PIPE,
    )
    return Running(process)


async def test_the_bot_migrates_serves_http_and_stops_cleanly(
    tmp_path: Path, slack: SlackStandIn
) -> None:
    port = free_port()
    bot = await _start(tmp_path, slack, port)
    await bot.wait_for_line("serving on port")

    async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
        health = await http.get("/healthz")
        body = wire.slash_command("U0EMPLOYEE", "help", slack.response_url("help"))
        command = await http.post("/slack/events", data=body, headers=wire.sign(body))
        forged = await http.post(
            "/slack/events", data=body, headers=wire.sign(body, secret="0" * 32)
        )

    assert (health.status, await health.json()) == (200, {"status": "ok"})
    assert (command.status, forged.status) == (200, 401)
    (reply,) = await slack.wait_for("response_url")
    assert "/secondment request" in reply.text
    assert (tmp_path / "bot.db").exists()
    assert await bot.stop() == 0
    assert not any("Traceback" in line for line in bot.lines)


@dataclass
class _NotingConnections(SlackStandIn):
    """The stand-in, noting the client end of the connection each Web API call came over."""

    peers: set[object] = field(default_factory=set)

    async def _handle_api(self, request: web.Request) -> web.Response:
        assert request.transport is not None
        self.peers.add(request.transport.get_extra_info("peername"))
        return await super()._handle_api(request)


async def test_the_bots_calls_to_slack_share_connections(tmp_path: Path) -> None:
    slack = _NotingConnections()
    await slack.start()
    port = free_port()
    bot = await _start(tmp_path, slack, port)
    await bot.wait_for_line("serving on port")

    async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
        for opened in range(1, 4):
            body = wire.slash_command("U0EMPLOYEE", "request", slack.response_url("form"))
            response = await http.post("/slack/events", data=body, headers=wire.sign(body))
            assert response.status == 200
            await slack.wait_for("views.open", opened)
    assert await bot.stop() == 0
    await slack.stop()

    # auth.test twice (the bot's token check at start, and Bolt's before the first request),
    # then a views.open a command: without a pool, each on a connection of its own.
    assert [c.method for c in slack.calls].count("auth.test") == 2
    assert len(slack.calls) == 5
    assert len(slack.peers) < len(slack.calls)


async def test_json_logs_are_one_object_a_line_with_each_request_under_its_id(
    tmp_path: Path, slack: SlackStandIn
) -> None:
    port = free_port()
    bot = await _start(tmp_path, slack, port, LOG_FORMAT="json")
    await bot.wait_for_line("serving on port")

    async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
        for name in ("first", "second"):
            body = wire.slash_command("U0EMPLOYEE", "help", slack.response_url(name))
            response = await http.post("/slack/events", data=body, headers=wire.sign(body))
            assert response.status == 200
        await slack.wait_for("response_url", 2)
        scraped = await (await http.get("/metrics")).text()
    assert await bot.stop() == 0

    lines = [json.loads(line) for line in bot.lines]
    served = [
        line["correlation_id"]
        for line in lines
        if line["logger"] == "aiohttp.access" and "POST /slack/events" in line["message"]
    ]
    assert len(set(served) - {"-"}) == 2
    assert {"time", "level", "logger", "message", "correlation_id"} <= lines[0].keys()
    counted = 'secondment_slack_requests_total{kind="command",status="200",transport="http"}'
    assert f"{counted} 2.0" in scraped
    assert not any(BOT_TOKEN in line or wire.SIGNING_SECRET in line for line in bot.lines)


async def test_with_an_app_token_the_bot_answers_over_socket_mode(
    tmp_path: Path, slack: SlackStandIn
) -> None:
    port = free_port()
    bot = await _start(tmp_path, slack, port, SLACK_APP_TOKEN=APP_TOKEN)
    await bot.wait_for_line("serving on port")
    await slack.wait_until(lambda: bool(slack.sockets))
    command = dict(parse_qsl(wire.slash_command("U0EMPLOYEE", "help", slack.response_url("sm"))))

    await slack.send_envelope("env-1", "slash_commands", command)

    (ack,) = await slack.wait_for("socket_ack")
    assert ack.body["envelope_id"] == "env-1"
    (reply,) = await slack.wait_for("response_url")
    assert "/secondment list" in reply.text
    async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
        assert (await http.get("/healthz")).status == 200
        assert (await http.post("/slack/events", data="")).status == 404  # events come by socket
        scraped = await (await http.get("/metrics")).text()
    counted = 'secondment_slack_requests_total{kind="command",status="200",transport="socket_mode"}'
    assert f"{counted} 1.0" in scraped
    assert await bot.stop() == 0


async def test_a_port_already_in_use_is_named_and_the_bot_exits(
    tmp_path: Path, slack: SlackStandIn
) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        code, stderr = await _run_to_exit(
            tmp_path,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=wire.SIGNING_SECRET,
            SLACK_API_URL=slack.api_url,
            PORT=str(port),
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        )

    assert code == 2
    assert f"PORT {port} cannot be used: Address already in use" in stderr
    assert "Traceback" not in stderr


async def test_health_is_503_while_the_database_is_unreachable() -> None:
    engine = make_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    web_app = build_web_app(None, engine, Metrics())
    async with TestClient(TestServer(web_app, host="127.0.0.1")) as http:
        response = await http.get("/healthz")
        assert response.status == 503
        assert await response.json() == {"status": "database unavailable"}
    await engine.dispose()


async def test_malformed_hr_and_working_day_settings_are_named(tmp_path: Path) -> None:
    code, stderr = await _run_to_exit(
        tmp_path,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=wire.SIGNING_SECRET,
        HR_USERS="U0HR,bob",
        HR_CHANNEL="#hr",
        WORKING_DAYS="mon,funday",
    )

    assert code == 2
    assert "HR_USERS must be Slack user ids separated by commas; 'bob' is not one" in stderr
    assert "HR_CHANNEL must be a channel id such as C0123ABCD (not a #name)" in stderr
    assert "WORKING_DAYS must be day names separated by commas" in stderr


async def test_escalating_before_the_reminders_is_refused_at_start(tmp_path: Path) -> None:
    code, stderr = await _run_to_exit(
        tmp_path,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=wire.SIGNING_SECRET,
        REMINDER_AFTER_WORKING_DAYS="5",
        ESCALATE_AFTER_WORKING_DAYS="4",
    )

    assert code == 2
    assert "ESCALATE_AFTER_WORKING_DAYS must be more than REMINDER_AFTER_WORKING_DAYS" in stderr


async def test_asking_again_before_the_first_end_of_term_question_is_refused_at_start(
    tmp_path: Path,
) -> None:
    code, stderr = await _run_to_exit(
        tmp_path,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=wire.SIGNING_SECRET,
        END_DECISION_DAYS="14",
        END_DECISION_REMINDER_DAYS="14",
    )

    assert code == 2
    assert "END_DECISION_REMINDER_DAYS must be fewer than END_DECISION_DAYS" in stderr


async def test_in_oauth_mode_the_bot_serves_the_install_page_with_its_state_in_the_database(
    tmp_path: Path, slack: SlackStandIn
) -> None:
    port = free_port()
    redirect_uri = f"https://bot.example.com{OAUTH_REDIRECT_PATH}"
    bot = await _start(
        tmp_path,
        slack,
        port,
        SLACK_BOT_TOKEN="",
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
        SLACK_REDIRECT_URI=redirect_uri,
    )
    await bot.wait_for_line("serving on port")

    async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
        page = await http.get("/slack/install")
        html = await page.text()
        back = await http.get(f"{OAUTH_REDIRECT_PATH}?code=c&state=s")  # no state cookie
    assert await bot.stop() == 0

    assert page.status == 200
    assert f"client_id={CLIENT_ID}" in html and f"redirect_uri={redirect_uri}" in html
    with sqlite3.connect(tmp_path / "bot.db") as database:
        (states,) = database.execute("SELECT count(*) FROM slack_oauth_states").fetchone()
    assert states == 1  # issued for the page, in the bot's own database
    assert back.status == 400
    assert not any(CLIENT_SECRET in line for line in bot.lines)


async def test_sigterm_lets_work_after_an_ack_finish_before_the_bot_exits(
    tmp_path: Path, slack: SlackStandIn
) -> None:
    port = free_port()
    bot = await _start(tmp_path, slack, port)
    await bot.wait_for_line("serving on port")
    # The form opens after the ack; Slack is slow to answer, then says the trigger expired, and
    # the bot's answer to that is the work that must still happen after SIGTERM.
    slack.fail_next("views.open", "expired_trigger_id")
    release = slack.hold_next("views.open")

    async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
        body = wire.slash_command("U0EMPLOYEE", "request", slack.response_url("late"))
        command = await http.post("/slack/events", data=body, headers=wire.sign(body))
    await slack.wait_until(lambda: any(c.method == "views.open" for c in slack.held))
    bot.process.send_signal(signal.SIGTERM)
    await bot.wait_for_line("tasks begun before the shutdown")  # the server is closed by now
    release.set()

    assert command.status == 200  # acked before the shutdown began
    (reply,) = await slack.wait_for("response_url")
    assert "run the command or click the button again" in reply.text
    assert await asyncio.wait_for(bot.process.wait(), WAIT_LIMIT) == 0
