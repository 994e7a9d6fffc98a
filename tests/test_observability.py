"""Observability end to end: `/metrics` scraped after signed requests and sweeps at explicit
moments, and the log lines of each request (over HTTP and over Socket Mode) carrying its
correlation id and never a secret."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any, NoReturn
from urllib.parse import parse_qsl

import pytest
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import make_sessions
from bot.domain.kinds import NudgeKind
from bot.domain.states import Side
from bot.logs import NO_CORRELATION, LogFormat
from bot.metrics import ACK_BUCKETS
from bot.settings import load_settings
from bot.slack.bolt_app import build_bolt_app
from bot.slack.client import make_web_client
from bot.slack.deps import Deps, deps_from
from bot.slack.listeners import commands
from bot.slack.transport import ObservedSocketModeHandler, request_kind
from tests.support import wire
from tests.support.flows import approve
from tests.support.harness import EMPLOYEE, HOME, HOST, Harness
from tests.support.logs import captured, json_lines
from tests.support.standin import APP_TOKEN, BOT_TOKEN, SlackStandIn

START, END = date(2027, 2, 1), date(2027, 7, 30)
HR = "U0HRPERSON"
Samples = dict[tuple[str, ...], float]
ZERO = timedelta(0)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 1, day, hour, minute, tzinfo=UTC)


async def scrape(bot: Harness) -> str:
    response = await bot.http.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"] == CONTENT_TYPE_LATEST
    return await response.text()


def samples(text: str, name: str, *labels: str) -> Samples:
    """Every sample called `name`, keyed by the values of `labels`, in that order."""
    return {
        tuple(sample.labels[label] for label in labels): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    }


def ids_of(lines: list[dict[str, Any]], *, logger: str, containing: str) -> list[str]:
    return [
        line["correlation_id"]
        for line in lines
        if line["logger"] == logger and containing in line["message"]
    ]


# --- metrics ------------------------------------------------------------------------------------


async def test_requests_are_counted_by_kind_and_status_and_each_ack_is_timed(
    bot: Harness,
) -> None:
    help_response, help_reply = await bot.command(EMPLOYEE, "help")
    forged = wire.slash_command(EMPLOYEE, "help", bot.new_response_url())
    forged_response = await bot.post(forged, wire.sign(forged, secret="f" * 32))
    thread = await bot.submit_request(START, END)  # a view submission
    await approve(bot, HOME, thread, Side.HOME)  # a block action
    await bot.slack.wait_for("chat.update")
    await bot.open_home(EMPLOYEE)  # an event
    await bot.home_of(EMPLOYEE)
    await bot.reply_to(help_reply)

    text = await scrape(bot)

    assert (help_response.status, forged_response.status) == (200, 401)
    assert samples(text, "secondment_slack_requests_total", "transport", "kind", "status") == {
        ("http", "command", "200"): 1,
        ("http", "unverified", "401"): 1,  # its body is not read, so its kind is not known
        ("http", "view_submission", "200"): 1,
        ("http", "block_actions", "200"): 1,
        ("http", "event", "200"): 1,
    }
    counts = samples(text, "secondment_slack_ack_seconds_count", "transport", "kind")
    assert counts == {
        ("http", "command"): 1,
        ("http", "unverified"): 1,
        ("http", "view_submission"): 1,
        ("http", "block_actions"): 1,
        ("http", "event"): 1,
    }
    buckets = samples(text, "secondment_slack_ack_seconds_bucket", "transport", "kind", "le")
    assert {le for (_, _, le) in buckets} == {*(str(b) for b in ACK_BUCKETS), "+Inf"}
    assert {(t, kind): n for (t, kind, le), n in buckets.items() if le == "+Inf"} == counts


@pytest.mark.settings(hr_users=HR)
async def test_nudges_sent_and_failed_and_the_sweep_lag_are_measured_at_each_sweep(
    bot: Harness,
) -> None:
    bot.slack.add_user(HR)
    await bot.submit_request(START, END)  # each manager is reminded on 7 January at 09:00

    bot.slack.fail_next("chat.postMessage", "fatal_error")
    assert await bot.sweep(at(7, 9, 30)) == 1  # one goes, one fails and waits a minute
    first = await scrape(bot)
    assert await bot.sweep(at(7, 9, 45)) == 1  # the retry, due since 09:31
    second = await scrape(bot)
    bot.slack.workspace.deactivate(HOST)
    # The second reminders: the host's is given up, and the side goes to HR, the fallback
    # approver: the home manager's reminder, the thread's line, its parent re-drawn, HR's notice.
    assert await bot.sweep(at(12, 10)) == 4
    third = await scrape(bot)
    assert await bot.sweep(at(12, 11)) == 0  # nothing left due
    fourth = await scrape(bot)

    sent, failed = "secondment_nudges_sent_total", "secondment_nudges_failed_total"
    lag, completed = (
        "secondment_sweep_lag_seconds",
        "secondment_sweep_last_completed_timestamp_seconds",
    )
    reminder = NudgeKind.DECISION_REMINDER.value
    assert samples(first, sent, "kind")[(reminder,)] == 1
    assert samples(first, failed, "kind", "outcome")[(reminder, "retrying")] == 1
    assert (samples(first, lag)[()], samples(first, completed)[()]) == (
        30 * 60,
        at(7, 9, 30).timestamp(),
    )
    assert samples(second, sent, "kind")[(reminder,)] == 2
    assert (samples(second, lag)[()], samples(second, completed)[()]) == (
        14 * 60,
        at(7, 9, 45).timestamp(),
    )
    assert samples(third, lag)[()] == 60 * 60  # due at 09:00 on the 12th, swept at 10:00
    depth = "secondment_outbox_depth"
    # What waited as each sweep began: both reminders; the one retried; both second reminders.
    assert [samples(m, depth)[()] for m in (first, second, third)] == [2, 1, 2]
    assert samples(fourth, lag)[()] == samples(fourth, depth)[()] == 0
    assert samples(fourth, completed)[()] == at(12, 11).timestamp()
    # Every kind is there from the start; only the reminders moved.
    assert len(samples(fourth, sent, "kind")) == len(NudgeKind)
    # Three reminders, and from the outbox: the thread, the employee's confirmation, and for
    # the side gone to HR, the thread's line, HR's notice and the thread's parent re-drawn.
    assert {k: v for k, v in samples(fourth, sent, "kind").items() if v} == {
        (reminder,): 3,
        (NudgeKind.THREAD_OPEN.value,): 1,
        (NudgeKind.MESSAGE.value,): 3,
        (NudgeKind.THREAD_UPDATE.value,): 1,
    }
    assert {k: v for k, v in samples(fourth, failed, "kind", "outcome").items() if v} == {
        (reminder, "retrying"): 1,
        (reminder, "given_up"): 1,
    }


# --- logs ---------------------------------------------------------------------------------------


async def test_each_request_logs_json_lines_under_its_own_correlation_id(bot: Harness) -> None:
    with captured("json") as stream:
        _, first = await bot.command(EMPLOYEE, "help")
        await bot.reply_to(first)
        _, second = await bot.command(EMPLOYEE, "list")
        await bot.reply_to(second)

    lines = json_lines(stream)
    assert all(
        {"time", "level", "logger", "message", "correlation_id"} <= line.keys() for line in lines
    )
    assert all(datetime.fromisoformat(line["time"]).utcoffset() == ZERO for line in lines)
    # The access log line closes each request; the reply is sent by the listener's task later.
    served = ids_of(lines, logger="aiohttp.access", containing="POST /slack/events")
    assert len(served) == 2 and len(set(served)) == 2 and NO_CORRELATION not in served
    # Each reply's line, known by its text (the response URL itself is never logged).
    replies = [
        ids_of(lines, logger="slack_sdk.webhook.async_client", containing=text)
        for text in ("runs a secondment from the request", "You have no secondments yet")
    ]
    assert replies == [[served[0]], [served[1]]]
    # (The stand-in's own access log, in this process, names the paths it served.)
    ours = [line for line in lines if line["logger"].startswith("slack_sdk")]
    assert not [
        line for line in ours for n in (first, second) if f"/respond/{n}" in line["message"]
    ]
    # Bolt's own check before any listener (auth.test, on the first request) is under it too.
    assert set(ids_of(lines, logger="slack_sdk.web.async_base_client", containing="auth.test")) == {
        served[0]
    }


async def test_an_unexpected_error_is_logged_with_its_traceback_under_the_id_given_to_the_person(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> NoReturn:
        raise RuntimeError("the database fell over")

    monkeypatch.setattr(commands, "list_for_user", broken)
    bot.expect_errors = True
    with captured("json") as stream:
        _, name = await bot.command(EMPLOYEE, "list")
        reply = await bot.reply_to(name)

    lines = json_lines(stream)
    (failed,) = [line for line in lines if line["message"] == "listener failed"]
    assert (failed["level"], failed["logger"]) == ("ERROR", "bot.slack.listeners.errors")
    assert failed["exception"].startswith("Traceback (most recent call last)")
    assert failed["exception"].endswith("RuntimeError: the database fell over")
    assert ids_of(lines, logger="aiohttp.access", containing="POST /slack/events") == [
        failed["correlation_id"]
    ]
    assert f"give HR this reference: `{failed['correlation_id']}`" in reply.text


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_no_log_line_of_a_request_holds_the_bot_token_or_signing_secret(
    bot: Harness, log_format: LogFormat
) -> None:
    with captured(log_format) as stream:
        _, reply = await bot.command(EMPLOYEE, "help")
        await bot.reply_to(reply)
        logging.getLogger("bot").warning("echoed %s and %s", BOT_TOKEN, wire.SIGNING_SECRET)

    output = stream.getvalue()
    # The request was logged in full (Web API calls made with the token included) ...
    assert "POST /slack/events" in output and "auth.test" in output
    assert "echoed [redacted] and [redacted]" in output
    # ... and no line of it holds a secret.
    assert BOT_TOKEN not in output and wire.SIGNING_SECRET not in output


# --- Socket Mode --------------------------------------------------------------------------------


@pytest.fixture
async def socket_mode(
    engine: AsyncEngine, slack: SlackStandIn
) -> tuple[ObservedSocketModeHandler, Deps]:
    """The bot's Socket Mode handler, connecting to the stand-in, and its deps."""
    settings = load_settings(
        _env_file=None,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=wire.SIGNING_SECRET,
        slack_app_token=APP_TOKEN,
        slack_api_url=slack.api_url,
        database_url=str(engine.url),
    )
    deps = deps_from(settings, make_sessions(engine))
    bolt = build_bolt_app(settings, deps, client=make_web_client(BOT_TOKEN, slack.api_url))
    return ObservedSocketModeHandler(bolt, APP_TOKEN, deps.metrics), deps


async def test_socket_mode_envelopes_are_counted_and_logged_under_their_own_id(
    slack: SlackStandIn, socket_mode: tuple[ObservedSocketModeHandler, Deps]
) -> None:
    handler, deps = socket_mode
    command = dict(parse_qsl(wire.slash_command(EMPLOYEE, "help", slack.response_url("sm"))))
    with captured("json") as stream:
        await handler.connect_async()
        try:
            await slack.wait_until(lambda: bool(slack.sockets))
            await slack.send_envelope("env-1", "slash_commands", command)
            (ack,) = await slack.wait_for("socket_ack")
            await slack.wait_for("response_url")
        finally:
            await handler.close_async()

    text = deps.metrics.exposition().decode()
    assert ack.body["envelope_id"] == "env-1"
    assert samples(text, "secondment_slack_requests_total", "transport", "kind", "status") == {
        ("socket_mode", "command", "200"): 1
    }
    assert samples(text, "secondment_slack_ack_seconds_count", "transport", "kind") == {
        ("socket_mode", "command"): 1
    }
    lines = json_lines(stream)
    (reply_id,) = ids_of(
        lines, logger="slack_sdk.webhook.async_client", containing="runs a secondment from the"
    )
    checked = ids_of(lines, logger="slack_sdk.web.async_base_client", containing="auth.test")
    assert reply_id != NO_CORRELATION and set(checked) == {reply_id}


async def test_a_malformed_socket_mode_envelope_is_acknowledged_and_goes_no_further(
    slack: SlackStandIn, socket_mode: tuple[ObservedSocketModeHandler, Deps]
) -> None:
    handler, deps = socket_mode
    command = dict(parse_qsl(wire.slash_command(EMPLOYEE, "help", slack.response_url("sm"))))
    del command["user_id"]
    click = {"type": "block_actions", "actions": [{"action_id": "x"}], "message": {"user": HOME}}
    with captured("text") as stream:
        await handler.connect_async()
        try:
            await slack.wait_until(lambda: bool(slack.sockets))
            await slack.send_envelope("env-1", "slash_commands", command)
            await slack.send_envelope("env-2", "interactive", click)
            acks = await slack.wait_for("socket_ack", 2)
        finally:
            await handler.close_async()

    assert {a.body["envelope_id"] for a in acks} == {"env-1", "env-2"}
    assert {c.method for c in slack.calls} == {"apps.connections.open", "socket_ack"}
    text = deps.metrics.exposition().decode()
    assert samples(text, "secondment_slack_requests_total", "transport", "kind", "status") == {
        ("socket_mode", "malformed", "400"): 2
    }
    assert "user_id: missing" in stream.getvalue() and "user: missing" in stream.getvalue()


# --- request kinds ------------------------------------------------------------------------------


def _payload(form: str) -> dict[str, Any]:
    return dict(json.loads(dict(parse_qsl(form))["payload"]))


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (dict(parse_qsl(wire.slash_command(EMPLOYEE, "help", "http://x/r"))), "command"),
        (
            _payload(
                wire.block_action(
                    EMPLOYEE, "a", "v", response_url="http://x/r", channel_id="C1", message_ts="1.2"
                )
            ),
            "block_actions",
        ),
        (_payload(wire.view_submission(EMPLOYEE, "cb", {}, view_id="V1")), "view_submission"),
        (json.loads(wire.app_home_opened(EMPLOYEE)), "event"),
        ({"type": "view_closed", "view": {"callback_id": "cb"}}, "other"),
        ({"type": "shortcut", "callback_id": "cb"}, "other"),
    ],
)
def test_each_request_is_counted_under_its_kind(body: dict[str, Any], kind: str) -> None:
    assert request_kind(body) == kind


# --- Start-up ------------------------------------------------------------------------------------


def test_a_token_in_the_environment_gives_no_warning_at_start_but_other_warnings_still_show(
    engine: AsyncEngine, slack: SlackStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The usual deployment sets SLACK_BOT_TOKEN in the environment, where Bolt reads it too.
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    settings = load_settings(
        _env_file=None,
        slack_signing_secret=wire.SIGNING_SECRET,
        slack_api_url=slack.api_url,
        database_url=str(engine.url),
    )
    with captured("json", level=logging.WARNING) as lines:
        bolt = build_bolt_app(settings, deps_from(settings, make_sessions(engine)))
        bolt.logger.warning("another warning")

    assert bolt.client.token == BOT_TOKEN
    assert [line["message"] for line in json_lines(lines)] == ["another warning"]
