"""The log format (bot.logs) and its setting: text lines as before, JSON lines that parse one by
one, the correlation id of the work in hand, and secrets blanked out of every line."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from slack_sdk.web.async_client import AsyncWebClient

from bot.logs import CORRELATION_ID, NO_CORRELATION, LogFormat, configure_logging, correlated
from bot.sandbox.wire import LEGACY_TOKEN
from bot.settings import SettingsError, load_settings
from tests.support import wire
from tests.support.logs import captured, json_lines
from tests.support.standin import APP_TOKEN, BOT_TOKEN, SlackStandIn

AT = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
log = logging.getLogger("tests.logs")


def test_text_lines_keep_their_format() -> None:
    with captured("text", log) as stream:
        with correlated("abc123def456"):
            log.info("hello %s", "there")
        log.warning("outside")

    first, second = stream.getvalue().splitlines()
    stamp = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}"
    assert re.fullmatch(stamp + r" INFO \[abc123def456\] tests\.logs: hello there", first)
    assert re.fullmatch(stamp + r" WARNING \[-\] tests\.logs: outside", second)


def test_json_lines_carry_time_in_utc_level_logger_message_and_correlation_id() -> None:
    with time_machine.travel(AT, tick=False), captured("json", log) as stream:
        with correlated("abc123def456"):
            log.info("hello %s", "there")
        log.info("outside")

    assert json_lines(stream) == [
        {
            "time": "2027-01-04T10:00:00.000+00:00",
            "level": "INFO",
            "logger": "tests.logs",
            "message": "hello there",
            "correlation_id": "abc123def456",
        },
        {
            "time": "2027-01-04T10:00:00.000+00:00",
            "level": "INFO",
            "logger": "tests.logs",
            "message": "outside",
            "correlation_id": NO_CORRELATION,
        },
    ]


def test_a_json_line_holds_the_traceback_when_there_is_one() -> None:
    with captured("json", log) as stream:
        try:
            raise ValueError("bad input")
        except ValueError:
            log.exception("it failed")

    (line,) = json_lines(stream)
    assert (line["level"], line["message"]) == ("ERROR", "it failed")
    assert line["exception"].startswith("Traceback (most recent call last)")
    assert line["exception"].endswith("ValueError: bad input")


def test_a_json_line_carries_a_records_extra_fields_and_its_stack() -> None:
    with captured("json", log) as stream:
        log.info("sent", extra={"kind": "check_in", "attempt": 2}, stack_info=True)

    (line,) = json_lines(stream)
    assert (line["kind"], line["attempt"]) == ("check_in", 2)
    assert line["stack"].startswith("Stack (most recent call last)")


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_secrets_are_blanked_out_of_every_line(log_format: LogFormat) -> None:
    other_workspace = "xoxb-2-999-token-of-another-workspace"
    with captured(log_format, log) as stream:
        log.info("token %s secret %s app %s", BOT_TOKEN, wire.SIGNING_SECRET, APP_TOKEN)
        try:
            raise RuntimeError(f"refused {other_workspace}")
        except RuntimeError:
            log.exception("call failed")

    output = stream.getvalue()
    assert "token [redacted] secret [redacted] app [redacted]" in output
    assert "RuntimeError: refused [redacted]" in output
    for secret in (BOT_TOKEN, wire.SIGNING_SECRET, APP_TOKEN, other_workspace):
        assert secret not in output
    if log_format == "json":
        assert len(json_lines(stream)) == 2  # still one JSON object a line


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_the_verification_token_in_a_logged_request_body_is_blanked_out(
    log_format: LogFormat,
) -> None:
    # Bolt logs the body of a request it refuses; Slack's bodies carry the verification token.
    command = wire.slash_command("U0EMPLOYEE", "list", "https://hooks.example/r")
    click = wire.block_action(
        "U0HOME",
        "decision_approve",
        "1:home:1",
        response_url="https://hooks.example/r",
        channel_id="G0THREAD",
        message_ts="1800000000.000001",
    )
    with captured(log_format, log) as stream:
        log.info("refused: %s", command)
        log.info("refused: %s", click)
        log.info("payload %s", '{"token": "legacy-verification-token", "type": "view_closed"}')
        log.info("claim_token=abc123 kept")

    output = stream.getvalue()
    assert LEGACY_TOKEN in command and LEGACY_TOKEN in click  # so the check can fail
    assert LEGACY_TOKEN not in output
    assert "token=[redacted]&team_id=T0TEAM" in output
    assert "%22token%22%3A+%22[redacted]%22" in output
    assert "claim_token=abc123 kept" in output
    if log_format == "json":
        assert len(json_lines(stream)) == 4


async def test_a_correlation_id_ends_with_its_block_but_follows_the_tasks_started_in_it() -> None:
    release = asyncio.Event()

    async def later() -> str:
        await release.wait()
        return CORRELATION_ID.get()

    with correlated() as first:
        task = asyncio.create_task(later())
    with correlated() as second:
        pass
    outside = CORRELATION_ID.get()
    release.set()

    assert (await task, outside) == (first, NO_CORRELATION)
    assert NO_CORRELATION not in (first, second) and first != second


def _settings(**values: Any) -> Any:
    return load_settings(
        _env_file=None,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=wire.SIGNING_SECRET,
        **values,
    )


def test_log_format_is_text_unless_set_to_json() -> None:
    assert _settings().log_format == "text"
    assert _settings(log_format="json").log_format == "json"
    with pytest.raises(SettingsError, match="LOG_FORMAT must be one of 'text' or 'json'"):
        _settings(log_format="xml")


def test_the_secrets_to_blank_out_are_every_secret_setting() -> None:
    assert set(_settings().secret_values()) == {BOT_TOKEN, wire.SIGNING_SECRET}
    assert set(_settings(slack_app_token=APP_TOKEN).secret_values()) == {
        BOT_TOKEN,
        wire.SIGNING_SECRET,
        APP_TOKEN,
    }


class _Noted(str):
    """A value that counts how often it is rendered for a log line (`repr`); sent as JSON, it
    is written as the plain string it is."""

    renders = 0

    def __repr__(self) -> str:
        _Noted.renders += 1
        return super().__repr__()


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root, client = logging.getLogger(), logging.getLogger("slack_sdk.web.async_base_client")
    sqlite = logging.getLogger("aiosqlite")
    handlers, levels = root.handlers[:], (root.level, client.level, sqlite.level)
    yield
    root.handlers[:] = handlers
    root.setLevel(levels[0])
    client.setLevel(levels[1])
    sqlite.setLevel(levels[2])


@pytest.mark.parametrize(("level", "rendered"), [("INFO", False), ("DEBUG", True)])
async def test_slack_calls_are_rendered_for_the_log_only_at_debug(
    restored_logging: None, level: str, rendered: bool
) -> None:
    slack = SlackStandIn()
    await slack.start()
    configure_logging(level)
    _Noted.renders = 0

    await AsyncWebClient(BOT_TOKEN, base_url=slack.api_url).api_call(
        "auth.test", json={"probe": _Noted("probe")}
    )
    await slack.stop()

    assert (_Noted.renders > 0) is rendered


def test_at_debug_aiosqlite_does_not_log_statements_with_their_parameters(
    restored_logging: None,
) -> None:
    """Its parameters are people's words and calendar links' tokens."""
    configure_logging("DEBUG")

    assert logging.getLogger("bot").isEnabledFor(logging.DEBUG)
    assert not logging.getLogger("aiosqlite").isEnabledFor(logging.DEBUG)


def test_a_message_s_line_breaks_cannot_start_a_line_of_their_own() -> None:
    log = logging.getLogger("bot.test")
    forged = "U0HOME\n2026-12-06 03:00:00,000 ERROR [deadbeef0000] bot.web: FORGED\u2028x\r"

    with captured("text", log) as stream:
        log.warning("could not tell %s about an error", forged)
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("listener failed")

    lines = stream.getvalue().splitlines()
    assert "U0HOME\\n2026-12-06 03:00:00,000 ERROR" in lines[0]
    assert "\\u2028x\\r about an error" in lines[0]
    assert not any(line.startswith("2026-12-06 03:00:00,000 ERROR") for line in lines)
    assert lines[-1] == "ValueError: boom"  # a traceback still has its own lines
