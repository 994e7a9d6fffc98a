"""A message typed in the bot's own DM (the Messages tab, writable in manifest.json) is answered
with what the bot can do; what nobody typed there (the bot's own messages, edits, thread
replies, other conversations) is not, and a retried delivery is answered once."""

from __future__ import annotations

from typing import Any

import pytest

from bot.slack.builders.replies import build_dm_help
from tests.support import wire
from tests.support.harness import EMPLOYEE, Harness

DM = "D0EMPLOYEE"


def typed(text: str = "hello, how do I start?", **extra: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": DM,
        "channel_type": "im",
        "user": EMPLOYEE,
        "text": text,
        "ts": "1800000000.000100",
        **extra,
    }


async def test_a_message_in_the_bots_dm_gets_what_the_bot_can_do(bot: Harness) -> None:
    response = await bot.send_event(typed())

    assert response.status == 200
    (answer,) = bot.slack.sent("chat.postMessage")
    assert answer.body["channel"] == DM
    assert answer.text == build_dm_help().text
    assert "`/secondment request`" in answer.text and "this box" in answer.text


@pytest.mark.parametrize(
    "event",
    [
        typed(bot_id="B0BOT", user=None),  # the bot's own message
        typed(subtype="message_changed"),  # an edit
        typed(thread_ts="1800000000.000001"),  # a reply in a thread
        typed(channel="C0GENERAL", channel_type="channel"),  # elsewhere
    ],
    ids=["its own", "an edit", "a thread reply", "another conversation"],
)
async def test_what_nobody_typed_in_the_dm_gets_no_answer(
    bot: Harness, event: dict[str, Any]
) -> None:
    response = await bot.send_event(event)

    assert response.status == 200
    assert bot.slack.sent("chat.postMessage") == []


async def test_a_retried_delivery_is_answered_once(bot: Harness) -> None:
    body = wire.event_callback(typed())
    for retry in ("", "1"):
        headers = wire.sign(body, content_type="application/json")
        if retry:
            headers |= {"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": "http_timeout"}
        assert (await bot.post(body, headers)).status == 200
        await bot.handled()

    assert len(bot.slack.sent("chat.postMessage")) == 1
