"""The schedule survives a restart: a new process (a new engine, new sessions, a new client) on
the same database sends what fell due while the bot was down, once, and nothing already sent."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import make_engine, make_sessions
from bot.settings import load_settings
from bot.slack.client import make_web_client
from bot.slack.delivery import send_due_nudges
from bot.slack.deps import deps_from
from tests.support import wire
from tests.support.flows import approved
from tests.support.harness import EMPLOYEE, Harness
from tests.support.standin import BOT_TOKEN


def at(month: int, day: int, hour: int) -> datetime:
    return datetime(2027, month, day, hour, tzinfo=UTC)


async def test_a_restarted_bot_sends_what_fell_due_while_it_was_down_once(
    bot: Harness, engine: AsyncEngine
) -> None:
    thread = await approved(bot, date(2027, 2, 1), date(2027, 7, 30))
    assert await bot.sweep(at(2, 1, 9)) == 6  # the start, before the "crash"

    # A new process: nothing shared with the first but the database.
    settings = load_settings(
        _env_file=None,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=wire.SIGNING_SECRET,
        slack_api_url=bot.slack.api_url,
        database_url=str(engine.url),
    )
    fresh_engine = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        deps = deps_from(settings, make_sessions(fresh_engine))
        client = make_web_client(BOT_TOKEN, bot.slack.api_url)
        # Down over check-in 1 (15 February) and its reminder: back up on the 16th at 10:00,
        # it asks; the reminder follows a working day after the question really went out.
        assert await send_due_nudges(client, deps, at(2, 16, 10)) == 1
        assert await send_due_nudges(client, deps, at(2, 16, 10)) == 0
        assert await send_due_nudges(client, deps, at(2, 17, 8)) == 0
        assert await send_due_nudges(client, deps, at(2, 17, 9)) == 1
    finally:
        await fresh_engine.dispose()

    asked = [
        c
        for c in bot.slack.sent("chat.postMessage", channel=EMPLOYEE)
        if "secondment with" in c.text
    ]
    assert len(asked) == 2  # check-in 1 and its reminder, each once
    welcomes = [
        c for c in bot.slack.sent("chat.postMessage", channel=EMPLOYEE) if "starts today" in c.text
    ]
    assert len(welcomes) == 1  # nothing sent before the restart is sent again
    assert (await bot.secondment(thread.secondment_id)).status == "active"
