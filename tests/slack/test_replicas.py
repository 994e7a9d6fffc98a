"""Two app processes behind one load balancer, on one PostgreSQL database: the same click, or both
managers at once, reaching different processes still makes one change and one announcement.
(Two sweepers racing, and one killed mid-sweep, are in test_two_sweepers.py.)"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import date

import pytest
from aiohttp.test_utils import TestClient, TestServer
from aiohttp.web import Application, Request

from bot.db import make_engine, make_sessions
from bot.domain.states import Side
from bot.settings import load_settings
from bot.slack.bolt_app import build_bolt_app
from bot.slack.client import make_web_client
from bot.slack.deps import deps_from
from bot.slack.ids import Action
from bot.slack.workspaces import workspaces_from
from bot.web import SlackEvents, build_web_app
from tests.support import wire
from tests.support.flows import decisions, ref
from tests.support.harness import HOME, HOST, Harness, Thread
from tests.support.standin import BOT_TOKEN, SlackStandIn

pytestmark = pytest.mark.skipif(
    os.environ.get("TEST_DATABASE_URL") is None,
    reason="replicas share a PostgreSQL database (SQLite is for one process): "
    "set TEST_DATABASE_URL",
)

START, END = date(2027, 2, 1), date(2027, 7, 30)


@pytest.fixture
def database_url(postgres_url: str) -> str:
    """PostgreSQL only: the harness's process and the other one share it."""
    return postgres_url


@pytest.fixture
async def other_process(
    postgres_url: str, slack: SlackStandIn
) -> AsyncIterator[TestClient[Request, Application]]:
    """A second app process: its own engine and pool, deps, Bolt app and HTTP server."""
    settings = load_settings(
        _env_file=None,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=wire.SIGNING_SECRET,
        slack_api_url=slack.api_url,
        database_url=postgres_url,
    )
    engine = make_engine(postgres_url)
    deps = deps_from(settings, make_sessions(engine), workspaces_from(settings, engine))
    bolt = build_bolt_app(settings, deps, client=make_web_client(BOT_TOKEN, slack.api_url))
    async with TestClient(
        TestServer(build_web_app(SlackEvents.of(bolt, settings), engine, deps.metrics))
    ) as http:
        yield http
    await engine.dispose()


def approve_body(bot: Harness, user: str, thread: Thread, side: Side) -> str:
    return wire.block_action(
        user,
        Action.APPROVE,
        ref(thread, side).encode(),
        response_url=bot.new_response_url(),
        channel_id=thread.channel,
        message_ts=thread.ts,
    )


async def test_a_double_click_split_across_two_processes_decides_once(
    bot: Harness, other_process: TestClient[Request, Application]
) -> None:
    thread = await bot.submit_request(START, END)
    body = approve_body(bot, HOME, thread, Side.HOME)

    responses = await asyncio.gather(
        bot.post(body),
        other_process.post("/slack/events", data=body, headers=wire.sign(body)),
        bot.post(body),
        other_process.post("/slack/events", data=body, headers=wire.sign(body)),
    )

    assert [r.status for r in responses] == [200] * 4
    refusals = await bot.slack.wait_for("response_url", 3)
    assert all("already decided" in r.text for r in refusals)
    assert len(await decisions(bot)) == 1
    assert [e.action for e in await bot.audit(1)].count("home_approved") == 1
    # Said once, by whichever process made the decision, after its ack.
    await bot.slack.wait_for("chat.postMessage", where=lambda c: "approved the" in c.text)
    await bot.handled()
    replies = [c for c in bot.thread_replies(thread) if "approved the" in c.text]
    assert len(replies) == 1


async def test_both_managers_reaching_different_processes_approve_once(
    bot: Harness, other_process: TestClient[Request, Application]
) -> None:
    thread = await bot.submit_request(START, END)
    home, host = (
        approve_body(bot, HOME, thread, Side.HOME),
        approve_body(bot, HOST, thread, Side.HOST),
    )

    await asyncio.gather(
        bot.post(home), other_process.post("/slack/events", data=host, headers=wire.sign(host))
    )

    await bot.slack.wait_for(
        "chat.postMessage", where=lambda c: "Both managers have approved" in c.text
    )
    row = await bot.secondment(thread.secondment_id)
    assert (row.status, row.home_state, row.host_state) == ("approved", "approved", "approved")
    assert [e.action for e in await bot.audit(1)].count("approved") == 1
    assert len(bot.slack.sent("chat.postMessage", reply_broadcast=True)) == 1
