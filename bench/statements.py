"""SQL statements per interaction, counted with SQLAlchemy's `before_cursor_execute` event
(tests/support/seeds.py `counting`), including the work Bolt runs after the ack, at two sizes of
data: the interacting people's own secondments few, then many.

Transactions are counted apart, with the engine's `begin` event, on both databases alike: asyncpg
starts PostgreSQL's out of sight of the cursor events, while on SQLite the bot's own `BEGIN
IMMEDIATE` (bot/db.py) goes through them, and is left out of the statements."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.setup import HR, Served, TimedStandIn, background_done, serve_bot
from bot.domain.decisions import DecisionRef
from bot.domain.states import Side, SideState, Status
from bot.models import Secondment
from bot.slack.ids import Action, Callback
from tests.support import forms, wire
from tests.support.harness import EMPLOYEE, HOME, HOST
from tests.support.samples import TERMS
from tests.support.seeds import AT, Spec, counting, seed

INTERACTIONS = (
    "request submit",
    "approve",
    "approve (completing the approval)",
    "block",
    "list",
    "App Home (HR)",
    "App Home (manager)",
)
_views = itertools.count(1)
THREAD = {"channel_id": "G0BENCH", "thread_ts": "1800000000.000001"}


@dataclass(frozen=True)
class Count:
    statements: int
    transactions: int

    def __str__(self) -> str:
        return f"{self.statements} in {self.transactions} transaction" + (
            "" if self.transactions == 1 else "s"
        )


@contextmanager
def _counting(engine: AsyncEngine) -> Iterator[list[Count]]:
    """The statements and transactions run on `engine` inside the block: the count is in the
    yielded list once the block ends."""
    began: list[None] = []

    def begin(_conn: Any) -> None:
        began.append(None)

    counted: list[Count] = []
    event.listen(engine.sync_engine, "begin", begin)
    try:
        with counting(engine) as statements:
            yield counted
    finally:
        event.remove(engine.sync_engine, "begin", begin)
    run = [s for s in statements if s.strip().upper() != "BEGIN IMMEDIATE"]
    counted.append(Count(len(run), len(began)))


def _mix(count: int) -> list[Spec]:
    """`count` secondments of the employee and both managers, in the states the Home shows."""
    states = (Status.PENDING, Status.APPROVED, Status.ACTIVE, Status.BLOCKED)
    return [
        Spec(EMPLOYEE, states[n % len(states)], escalated=n % 7 == 0, missed=n % 5 == 0)
        for n in range(count)
    ]


async def _post(session: aiohttp.ClientSession, bot: Served, body: str, json: bool = False) -> None:
    kind = "application/json" if json else "application/x-www-form-urlencoded"
    headers = wire.sign(body, content_type=kind)
    async with session.post(f"{bot.url}/slack/events", data=body, headers=headers) as response:
        await response.read()
        assert response.status == 200, response.status
    await background_done()


async def count_statements(
    database_url: str, standin: TimedStandIn, sizes: tuple[int, ...]
) -> dict[str, list[Count]]:
    """Statements each interaction runs, one count per size in `sizes` (ascending)."""
    bot = await serve_bot(database_url, standin)
    assert bot.sessions is not None and bot.engine is not None
    counts: dict[str, list[Count]] = {name: [] for name in INTERACTIONS}
    seeded = 0
    try:
        async with aiohttp.ClientSession() as session:
            # Uncounted: a person's first request also records them (their timezone).
            await _post(session, bot, _submit_request())
            for size in sizes:
                await seed(bot.sessions, _mix(size - seeded))
                seeded = size
                # Fresh requests in an approval thread: two waiting for both decisions, and one
                # whose host manager has approved, so the home manager's approval completes it.
                approve_id, block_id, last_id = await seed(
                    bot.sessions,
                    [Spec(EMPLOYEE, Status.PENDING)] * 2
                    + [Spec(EMPLOYEE, Status.PENDING, host_state=SideState.APPROVED)],
                )
                async with bot.sessions.begin() as db:
                    await db.execute(
                        update(Secondment)
                        .where(Secondment.id.in_([approve_id, block_id, last_id]))
                        .values(**THREAD)
                    )
                    await db.execute(
                        update(Secondment)
                        .where(Secondment.id == last_id)
                        .values(host_decided_by=HOST, host_decided_at=AT)
                    )
                steps = _steps(session, bot, standin, approve_id, last_id)
                # The Block modal is opened first, uncounted: the count is of its submission.
                await _post(session, bot, _click(Action.BLOCK, block_id))
                for name, step in steps.items():
                    with _counting(bot.engine) as counted:
                        await step()
                    counts[name] += counted
    finally:
        await bot.close()
    return counts


def _steps(
    session: aiohttp.ClientSession,
    bot: Served,
    standin: TimedStandIn,
    approve_id: int,
    last_id: int,
) -> dict[str, Callable[[], Awaitable[None]]]:
    return {
        "request submit": lambda: _post(session, bot, _submit_request()),
        "approve": lambda: _post(session, bot, _click(Action.APPROVE, approve_id)),
        "approve (completing the approval)": lambda: _post(
            session, bot, _click(Action.APPROVE, last_id)
        ),
        "block": lambda: _post(session, bot, _submit_block(standin)),
        "list": lambda: _post(session, bot, wire.slash_command(EMPLOYEE, "list", f"{bot.url}/r")),
        "App Home (HR)": lambda: _post(session, bot, wire.app_home_opened(HR), True),
        "App Home (manager)": lambda: _post(session, bot, wire.app_home_opened(HOME), True),
    }


def _submit_request() -> str:
    """A first submission: a view id of its own, so the bot stores a new request and opens its
    approval thread (a repeated view id is a Slack retry, answered from the stored request)."""
    values = forms.request_values(home=HOME, host=HOST, start=TERMS.start_date, end=TERMS.end_date)
    return wire.view_submission(
        EMPLOYEE, Callback.REQUEST, values, view_id=f"V0BENCH{next(_views)}"
    )


def _click(action: Action, secondment_id: int) -> str:
    return wire.block_action(
        HOME,
        action,
        DecisionRef(secondment_id, Side.HOME, 1).encode(),
        response_url="http://127.0.0.1:9/unused",
        channel_id=THREAD["channel_id"],
        message_ts=THREAD["thread_ts"],
    )


def _submit_block(standin: TimedStandIn) -> str:
    """The submission of the Block modal the bot opened last, with its private metadata."""
    (*_, opened) = standin.sent("views.open")
    view = opened.body["view"]
    assert view["callback_id"] == Callback.BLOCK, view["callback_id"]
    return wire.view_submission(
        HOME,
        Callback.BLOCK,
        forms.block_values(),
        view_id="V0BENCHBLOCK",
        private_metadata=view["private_metadata"],
    )
