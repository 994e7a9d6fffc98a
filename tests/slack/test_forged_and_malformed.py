"""Requests that are not from Slack, or not a payload the bot handles, as an attacker would send
them: each is answered 401 (not verified) or 400 (verified but malformed), reaches no listener
and no error path, calls no Slack method (not even a response URL the body names), writes
nothing, and leaves no trace of its body in the logs."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

import pytest
from multidict import CIMultiDict
from sqlalchemy import func, select

from bot.domain.decisions import DecisionRef
from bot.domain.states import Side
from bot.models import AuditEvent, Secondment
from bot.sandbox.wire import FORM, JSON
from tests.conftest import NOW
from tests.support import wire
from tests.support.harness import EMPLOYEE, HOME, Harness
from tests.support.logs import captured

CANARY = "canary-7f3e"  # in every body below: it must never reach a log line
# The system's time as the `clock` fixture holds it (it ticks on by the test's few moments).
HELD = int(NOW.timestamp())


def sign_bytes(
    raw: bytes, timestamp: str | None = None, content_type: str = FORM
) -> dict[str, str]:
    ts = timestamp if timestamp is not None else str(HELD)
    digest = hmac.new(
        wire.SIGNING_SECRET.encode(), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256
    )
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest.hexdigest()}",
        "Content-Type": content_type,
    }


def command(bot: Harness) -> bytes:
    """A real slash command whose response URL is one an attacker would watch."""
    return wire.slash_command(EMPLOYEE, f"list {CANARY}", bot.new_response_url()).encode()


def click(bot: Harness, **changes: Any) -> bytes:
    """A real Approve click's payload, with `changes` made to it (a None value removes the key)."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": HOME, "username": "home", "team_id": bot.team_id},
        "team": {"id": bot.team_id, "domain": "test"},
        "api_app_id": "A0APP",
        "token": CANARY,
        "trigger_id": wire.trigger_id(),
        "container": {"type": "message", "message_ts": "1.1", "channel_id": "G0THREAD"},
        "channel": {"id": "G0THREAD", "name": "mpdm"},
        "message": {"ts": "1.1", "user": HOME, "text": CANARY, "blocks": []},
        "response_url": bot.new_response_url(),
        "actions": [
            {
                "action_id": "decision_approve",
                "block_id": "decide_home",
                "value": DecisionRef(1, Side.HOME, 1).encode(),
            }
        ],
    }
    for key, value in changes.items():
        if value is None:
            payload.pop(key)
        else:
            payload[key] = value
    return urlencode({"payload": json.dumps(payload)}).encode()


def submission(bot: Harness, view: Any) -> bytes:
    payload = {
        "type": "view_submission",
        "user": {"id": EMPLOYEE, "team_id": bot.team_id},
        "team": {"id": bot.team_id},
        "token": CANARY,
        "view": view,
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def payload(text: str) -> bytes:
    return urlencode({"payload": text}).encode()


Forged = Callable[[Harness], tuple[bytes, Mapping[str, str]]]


def stamped(timestamp: str) -> Forged:
    """A real command, signed correctly over the timestamp header it carries."""

    def build(bot: Harness) -> tuple[bytes, dict[str, str]]:
        raw = command(bot)
        return raw, sign_bytes(raw, timestamp)

    return build


def with_header(name: str, value: str | None) -> Forged:
    def build(bot: Harness) -> tuple[bytes, dict[str, str]]:
        raw = command(bot)
        headers = sign_bytes(raw)
        if value is None:
            headers.pop(name)
        else:
            headers[name] = value
        return raw, headers

    return build


def twice(
    bot: Harness, name: str, bad: str, *, last: bool = False
) -> tuple[bytes, CIMultiDict[str]]:
    """A real command, signed, with one of the two headers sent twice (Bolt reads the last)."""
    raw = command(bot)
    good = sign_bytes(raw)
    headers: CIMultiDict[str] = CIMultiDict((k, v) for k, v in good.items() if k != name)
    for value in (good[name], bad) if last else (bad, good[name]):
        headers.add(name, value)
    return raw, headers


def changed_after_signing(bot: Harness) -> tuple[bytes, dict[str, str]]:
    raw = command(bot)
    return raw.replace(b"list", b"help"), sign_bytes(raw)


def click_with_a_letter_timestamp(bot: Harness) -> tuple[bytes, dict[str, str]]:
    raw = click(bot)
    return raw, {**sign_bytes(raw), "X-Slack-Request-Timestamp": "abc"}


UNVERIFIED: dict[str, Forged] = {
    "no signature headers": lambda bot: (command(bot), {"Content-Type": FORM}),
    "no timestamp": with_header("X-Slack-Request-Timestamp", None),
    "no signature": with_header("X-Slack-Signature", None),
    "timestamp abc": with_header("X-Slack-Request-Timestamp", "abc"),
    "timestamp empty": with_header("X-Slack-Request-Timestamp", ""),
    "timestamp 1.5, signed over": stamped("1.5"),
    "timestamp negative, signed over": stamped("-5"),
    "timestamp in full-width digits, signed over": stamped("\uff11\uff12\uff13"),
    "timestamp with spaces, signed over": stamped(" 1700000000"),
    "timestamp ten minutes old, signed over": stamped(str(HELD - 600)),
    "timestamp ten minutes ahead, signed over": stamped(str(HELD + 600)),
    "timestamp of 20 digits": stamped("9" * 20),
    "signature with another secret": lambda bot: (
        command(bot),
        wire.sign(command(bot).decode(), secret="f" * 32),
    ),
    "signature not v0": with_header("X-Slack-Signature", "v1=" + "0" * 64),
    "signature with non-ASCII": with_header("X-Slack-Signature", "v0=é" + "0" * 63),
    "body changed after signing": changed_after_signing,
    # The error path once POSTed to whatever response URL such a body named.
    "a click with timestamp abc": click_with_a_letter_timestamp,
    "the timestamp given twice, the bad copy first": lambda bot: twice(
        bot, "X-Slack-Request-Timestamp", "1"
    ),
    "the signature given twice, the bad copy last": lambda bot: twice(
        bot, "X-Slack-Signature", "v0=00", last=True
    ),
}


def signed(raw: bytes, content_type: str = FORM) -> Forged:
    return lambda bot: (raw, sign_bytes(raw, content_type=content_type))


def signed_from(build: Callable[[Harness], bytes], content_type: str = FORM) -> Forged:
    return lambda bot: (raw := build(bot), sign_bytes(raw, content_type=content_type))


def click_with(field: str, value: object) -> Forged:
    def build(bot: Harness) -> tuple[bytes, dict[str, str]]:
        raw = click(bot, **{field: value})
        return raw, sign_bytes(raw)

    return build


MALFORMED: dict[str, Forged] = {
    "empty body": signed(b""),
    "payload not JSON": signed(payload(f"not json {CANARY}")),
    "payload a JSON list": signed(payload(f'["{CANARY}"]')),
    "payload null": signed(payload("null")),
    "payload a string": signed(payload(f'"{CANARY}"')),
    "payload nested 100,000 deep": signed(payload("[" * 100_000 + "]" * 100_000)),
    "body not UTF-8": signed(
        b"command=%2Fsecondment&user_id=U0EMPLOYEE&text=\xff\xfe" + CANARY.encode()
    ),
    "payload not UTF-8": signed(b'payload={"type": "block_actions", "x": "\xc3\x28"}'),
    "a form that is no command": signed(f"text={CANARY}&user_id=U0EMPLOYEE".encode()),
    "a command without user_id": signed(
        f"command=%2Fsecondment&team_id=T0TEAM&text={CANARY}".encode()
    ),
    "a command that is no slash command": signed(
        f"command=secondment&user_id=U0EMPLOYEE&team_id=T0TEAM&text={CANARY}".encode()
    ),
    "a click with no actions": signed_from(lambda bot: click(bot, actions=[])),
    "a click without user (message.user present)": signed_from(lambda bot: click(bot, user=None)),
    "a click by a user with no id": signed_from(lambda bot: click(bot, user={"name": CANARY})),
    "a click by a user whose id is a number": signed_from(lambda bot: click(bot, user={"id": 7})),
    "a click whose action has no id": signed_from(
        lambda bot: click(bot, actions=[{"value": CANARY}])
    ),
    "a submission with view null": signed_from(lambda bot: submission(bot, None)),
    "a submission whose view has no state": signed_from(
        lambda bot: submission(
            bot, {"id": "V1", "callback_id": "request", "private_metadata": CANARY}
        )
    ),
    "a payload of a type the bot does not handle": signed(
        payload(json.dumps({"type": "shortcut", "user": {"id": EMPLOYEE}, "token": CANARY}))
    ),
    "a payload with no type": signed(payload(json.dumps({"user": {"id": EMPLOYEE}, "x": CANARY}))),
    "an event without event_id": signed(
        json.dumps(
            {
                "type": "event_callback",
                "team_id": "T0TEAM",
                "event": {"type": "app_home_opened"},
                "x": CANARY,
            }
        ).encode(),
        JSON,
    ),
    "an event body that is a JSON list": signed(f'["{CANARY}"]'.encode(), JSON),
    "an event body that is not JSON": signed(f"{{{CANARY}".encode(), JSON),
    # Fields Bolt reads on every request, with types Slack never sends (each crashed Bolt).
    "a submission whose view has no type": signed_from(
        lambda bot: submission(
            bot, {"id": "V1", "callback_id": "x", "state": {"values": {}}, "title": CANARY}
        )
    ),
    "an event whose user is a number": signed(
        json.dumps(
            {"type": "event_callback", "event_id": "Ev1", "event": {"type": "x", "user": 5}}
        ).encode(),
        JSON,
    ),
    **{
        f"a click whose {field} is {value!r}": click_with(field, value)
        for field, value in (
            ("channel", 5),
            ("team", 5),
            ("authorizations", 5),
            ("authorizations", [5]),
            ("enterprise", 5),
            ("response_urls", 5),
            ("view", 5),
            ("message", [CANARY]),
        )
    },
    "url_verification with a user that is a number": signed(
        json.dumps({"type": "url_verification", "challenge": CANARY, "user": 5}).encode(), JSON
    ),
    "a command without trigger_id": signed_from(
        lambda bot: command(bot).replace(b"&trigger_id=", b"&no_trigger=")
    ),
    "a command without response_url": signed_from(
        lambda bot: command(bot).replace(b"&response_url=", b"&no_url=")
    ),
}


async def _count(bot: Harness, model: type[Secondment] | type[AuditEvent]) -> int:
    async with bot.sessions() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def _refused_without_effect(bot: Harness, forged: Forged, status: int) -> None:
    raw, headers = forged(bot)
    with captured("text") as logs:
        response = await bot.http.post("/slack/events", data=raw, headers=headers)
        await bot.handled()

    assert response.status == status, await response.text()
    assert bot.slack.calls == []
    assert (await _count(bot, Secondment), await _count(bot, AuditEvent)) == (0, 0)
    assert CANARY not in logs.getvalue()
    assert "Traceback" not in logs.getvalue()
    refused = "not shown to come from Slack" if status == 401 else "not a payload the bot handles"
    assert refused in logs.getvalue()


@pytest.mark.parametrize("forged", UNVERIFIED.values(), ids=UNVERIFIED.keys())
async def test_an_unverified_request_is_refused_with_401_and_does_nothing(
    bot: Harness, forged: Forged
) -> None:
    await _refused_without_effect(bot, forged, 401)


@pytest.mark.parametrize("forged", MALFORMED.values(), ids=MALFORMED.keys())
async def test_a_signed_malformed_request_is_refused_with_400_and_does_nothing(
    bot: Harness, forged: Forged
) -> None:
    await _refused_without_effect(bot, forged, 400)


async def test_a_real_click_shaped_like_the_tables_is_served(bot: Harness) -> None:
    # The control for the tables: the click they change, unchanged and signed, gets past the
    # door (an Approve on a request that does not exist, refused privately by the listener).
    raw = click(bot)

    response = await bot.http.post("/slack/events", data=raw, headers=sign_bytes(raw))
    await bot.handled()

    assert response.status == 200
    (refusal,) = bot.slack.sent("response_url")
    assert "I can't find secondment #1 among yours" in refusal.text


async def test_a_command_from_a_channel_named_payload_is_served(bot: Harness) -> None:
    # Bolt reads a form with the word "payload" anywhere in it as an empty body.
    body = wire.slash_command(EMPLOYEE, "help", bot.new_response_url(), channel_name="payload-team")

    response = await bot.post(body)

    assert response.status == 200
    (reply,) = await bot.slack.wait_for("response_url")
    assert "/secondment list" in reply.text


async def test_slack_s_url_verification_is_answered_with_its_challenge(bot: Harness) -> None:
    body = json.dumps({"type": "url_verification", "token": "t", "challenge": "c-123"})

    response = await bot.post(body, wire.sign(body, content_type=JSON))

    assert response.status == 200
    assert "c-123" in await response.text()


async def test_refusals_are_counted_by_status(bot: Harness) -> None:
    raw = command(bot)
    await bot.http.post("/slack/events", data=raw, headers={"Content-Type": FORM})
    await bot.http.post("/slack/events", data=payload("null"), headers=sign_bytes(payload("null")))

    metrics = await (await bot.http.get("/metrics")).text()
    for kind, status in (("unverified", "401"), ("malformed", "400")):
        labels = f'kind="{kind}",status="{status}",transport="http"'
        assert f"secondment_slack_requests_total{{{labels}}} 1.0" in metrics, metrics
