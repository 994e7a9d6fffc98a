"""Requests Slack signed whose values the bot did not write, or cannot use: a button value or a
modal's private_metadata it cannot read, a response URL that does not answer, a `tokens_revoked`
of an odd shape, an action no listener takes. Each gets a clear answer or a
plain log line; none crashes, and none puts what the sender chose in the logs."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from bot.models import AuditEvent
from bot.slack.ids import Action, Callback
from tests.support import forms, wire
from tests.support.harness import EMPLOYEE, HOME, Harness
from tests.support.logs import captured

START, END = date(2027, 2, 1), date(2027, 7, 30)
UNREADABLE = "That button or form is not one I can act on"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "abc",
        "1:home",
        "1:home:1:2",
        "x:home:1",
        "1:nope:1",
        "1\x00:home:1",
        "99999999999999999999999:home:1",
        "\uff11:home:1",
    ],
)
async def test_a_button_value_the_bot_did_not_write_is_refused_plainly(
    bot: Harness, value: str
) -> None:
    thread = await bot.submit_request(START, END)

    response, name = await bot.click(HOME, Action.APPROVE, _Raw(value), thread)

    assert response.status == 200
    assert UNREADABLE in (await bot.reply_to(name)).text


@pytest.mark.parametrize("action", [Action.WITHDRAW, Action.CONFIRM_RETURN])
@pytest.mark.parametrize("shape", ["{id}", "{id}:1:1", "{id}:home:1"])
async def test_a_request_button_reads_only_the_reference_it_carries(
    bot: Harness, action: Action, shape: str
) -> None:
    thread = await bot.submit_request(START, END)
    value = shape.format(id=thread.secondment_id)

    response, name = await bot.click(EMPLOYEE, action, _Raw(value), thread)

    assert response.status == 200
    assert UNREADABLE in (await bot.reply_to(name)).text
    assert (await bot.secondment(thread.secondment_id)).status == "pending"


async def test_private_metadata_the_bot_did_not_write_is_refused_in_the_modal(
    bot: Harness,
) -> None:
    values = forms.block_values(explanation="Backfill is not possible this quarter.")

    response = await bot.submit(HOME, Callback.BLOCK, values, private_metadata="3:home")

    answer = json.loads(await response.text())
    assert answer["response_action"] == "update"
    assert UNREADABLE in json.dumps(answer["view"]["blocks"])


async def test_a_response_url_that_does_not_answer_is_a_warning_without_the_url(
    bot: Harness,
) -> None:
    body = wire.slash_command(EMPLOYEE, "help", "http://127.0.0.1:1/nowhere-canary")

    with captured("text") as logs:
        response = await bot.post(body)
        await bot.handled()

    assert response.status == 200
    assert not bot.errors.records
    assert "could not reach Slack:" in logs.getvalue()
    assert f"could not tell {EMPLOYEE} about an error:" in logs.getvalue()
    assert "canary" not in logs.getvalue() and "Traceback" not in logs.getvalue()


@pytest.mark.parametrize("url", ["canary not a url", "file:///etc/canary", ""])
async def test_a_response_url_that_is_no_web_address_is_refused_at_the_door(
    bot: Harness, url: str
) -> None:
    body = wire.slash_command(EMPLOYEE, "help", url)

    with captured("text") as logs:
        response = await bot.post(body)

    assert response.status == 400
    assert bot.slack.calls == []
    assert "canary" not in logs.getvalue()


async def test_wrongly_typed_form_values_are_read_as_missing(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)
    values: dict[str, dict[str, Any]] = {
        "reason": {"reason": {"selected_option": "workload"}},
        "conditions": {"conditions": {"selected_options": 5}},
        "explanation": {"explanation": {"value": "Nobody can cover the rota."}},
    }

    response = await bot.submit(
        HOME, Callback.BLOCK, values, private_metadata=f"{thread.secondment_id}:home:1"
    )

    answer = json.loads(await response.text())
    assert answer["response_action"] == "errors" and "reason" in answer["errors"]
    assert not bot.errors.records


async def test_show_more_on_a_home_with_no_view_shows_the_home(bot: Harness) -> None:
    payload = {
        "type": "block_actions",
        "user": {"id": EMPLOYEE},
        "team": {"id": bot.team_id},
        "view": None,
        "actions": [{"action_id": Action.HOME_SHOW_MORE, "value": "mine"}],
    }
    body = urlencode({"payload": json.dumps(payload)})

    response = await bot.post(body)
    await bot.handled()

    assert response.status == 200
    assert not bot.errors.records
    assert await bot.home_of(EMPLOYEE)


async def test_an_http_request_aiohttp_cannot_parse_is_a_warning_without_its_bytes(
    bot: Harness,
) -> None:
    url = bot.http.make_url("/slack/events")
    reader, writer = await asyncio.open_connection(url.host, url.port)
    with captured("text") as logs:
        writer.write(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: CANARY\r\n\r\n")
        await writer.drain()
        answer = await reader.read()
    writer.close()
    await writer.wait_closed()

    assert answer.split(b" ")[1] == b"400"
    assert "refused a malformed HTTP request" in logs.getvalue()
    assert "CANARY" not in logs.getvalue() and "Traceback" not in logs.getvalue()


@pytest.mark.parametrize("tokens", [5, {"oauth": 5, "bot": []}, {"oauth": [5, "U1"]}, None])
async def test_tokens_revoked_of_any_shape_is_audited(bot: Harness, tokens: object) -> None:
    response = await bot.send_event({"type": "tokens_revoked", "tokens": tokens})

    assert response.status == 200
    async with bot.sessions() as session:
        actions = list(await session.scalars(select(AuditEvent.action)))
    assert "tokens_revoked" in actions


async def test_bolt_s_warning_for_an_action_nobody_takes_carries_no_body(bot: Harness) -> None:
    chosen = "nobody_takes_this\\n2026 ERROR forged line"
    body = wire.block_action(
        EMPLOYEE,
        chosen,
        "v",
        response_url=bot.new_response_url(),
        channel_id="C0GENERAL",
        message_ts="1.1",
    )

    with captured("text") as logs:
        response = await bot.post(body)

    assert response.status == 404
    assert "Unhandled request: no listener takes it (body not logged)" in logs.getvalue()
    assert "nobody_takes_this" not in logs.getvalue()


class _Raw:
    """A button value as a forger writes it."""

    def __init__(self, value: str) -> None:
        self.value = value

    def encode(self) -> str:
        return self.value
