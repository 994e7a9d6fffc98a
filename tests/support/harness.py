"""The bot under test, driven only through its HTTP endpoint, with Slack played by the stand-in."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from aiohttp.client import ClientResponse
from aiohttp.test_utils import TestClient
from aiohttp.web import Application, Request
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from bot.db import Sessions
from bot.models import AuditEvent, Secondment
from bot.runtime import after_ack_tasks
from bot.slack.delivery import send_due_nudges
from bot.slack.deps import Deps
from bot.slack.ids import Action, Callback
from bot.slack_standin.recorded import WAIT_LIMIT, Call
from tests.support import forms, wire
from tests.support.standin import TEAM_ID, SlackStandIn

EMPLOYEE, HOME, HOST, OUTSIDER = "U0EMPLOYEE", "U0HOME", "U0HOST", "U0OUTSIDER"
_views = itertools.count(1)


class ErrorLog(logging.Handler):
    """Keeps the ERROR records the bot logs, so a test fails on an unexpected crash."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record."""
        self.records.append(record)


class ButtonValue(Protocol):
    """What a button carries: a DecisionRef, RequestRef or CheckInRef, or any other value the
    bot encodes into one (a person's id, say)."""

    def encode(self) -> str:
        """The value as the button carries it."""
        ...


@dataclass
class Thread:
    """A request's approval thread: its secondment, and where it was posted."""

    secondment_id: int
    channel: str
    ts: str


@dataclass
class Harness:
    """The bot under test, with all a test drives or reads: HTTP, the stand-in, the database."""

    http: TestClient[Request, Application]
    slack: SlackStandIn
    sessions: Sessions
    sleeps: list[float]
    errors: ErrorLog
    deps: Deps
    client: AsyncWebClient
    expect_errors: bool = False
    responses: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    # The workspace people act from; `dataclasses.replace(bot, team_id=...)` plays another.
    team_id: str = TEAM_ID

    async def post(self, body: str, headers: dict[str, str] | None = None) -> ClientResponse:
        """Send a signed request to the bot's Slack endpoint, as Slack would."""
        return await self.http.post("/slack/events", data=body, headers=headers or wire.sign(body))

    def new_response_url(self) -> str:
        """A fresh response URL on the stand-in, for one command or click."""
        return self.slack.response_url(f"r{next(self.responses)}")

    async def command(self, user_id: str, text: str) -> tuple[ClientResponse, str]:
        """`user_id` types `/secondment <text>`; returns the response and its reply's name."""
        response_url = self.new_response_url()
        response = await self.post(
            wire.slash_command(user_id, text, response_url, team_id=self.team_id)
        )
        return response, response_url.rsplit("/", 1)[1]

    async def reply_to(self, name: str) -> Call:
        """The private reply the bot sent to one command or click, through its response URL."""
        (call,) = await self.slack.wait_for("response_url", where=lambda c: c.body["name"] == name)
        return call

    async def click(
        self,
        user_id: str,
        action: Action,
        ref: ButtonValue,
        thread: Thread,
        headers: dict[str, str] | None = None,
    ) -> tuple[ClientResponse, str]:
        """`user_id` clicks a button in the thread; returns the response and its reply's name."""
        response_url = self.new_response_url()
        body = wire.block_action(
            user_id,
            action,
            ref.encode(),
            response_url=response_url,
            channel_id=thread.channel,
            message_ts=thread.ts,
            team_id=self.team_id,
        )
        response = await self.post(body, headers)
        return response, response_url.rsplit("/", 1)[1]

    async def send_event(self, event: dict[str, Any]) -> ClientResponse:
        """Deliver an Events API event from this workspace, and wait until the bot has handled
        it: Bolt acknowledges an event at once and runs its listener after, in a task."""
        body = wire.event_callback(event, team_id=self.team_id)
        response = await self.post(body, wire.sign(body, content_type="application/json"))
        await self.handled()
        return response

    async def handled(self, besides: set[asyncio.Task[Any]] | None = None) -> None:
        """Wait until the bot has finished what it runs after its acks: Bolt runs a listener in
        a task, and the response goes out at the ack, before the task ends. Tasks in `besides`
        (`listener_tasks()` taken earlier) are not waited for."""
        handling = listener_tasks() - (besides or set())
        await asyncio.wait_for(asyncio.gather(*handling), WAIT_LIMIT)

    async def open_home(self, user_id: str, *, tab: str = "home") -> ClientResponse:
        """`user_id` opens the bot's App Home (or, with `tab`, another tab)."""
        body = wire.app_home_opened(user_id, tab=tab, team_id=self.team_id)
        return await self.post(body, wire.sign(body, content_type="application/json"))

    async def home_of(self, user_id: str, count: int = 1) -> Call:
        """The Home the bot published for this person, once it has published `count` of them."""
        published = await self.slack.wait_for(
            "views.publish", count, where=lambda c: c.body["user_id"] == user_id
        )
        return published[-1]

    async def click_on_home(self, user_id: str, action: Action, value: str) -> ClientResponse:
        """Click a button on the Home last published for this person, as Slack sends it."""
        (*_, home) = self.slack.sent("views.publish", user_id=user_id)
        view = {
            **home.body["view"],
            "id": f"V0HOME{user_id}",
            "team_id": self.team_id,
            "state": {"values": {}},
            "hash": "1.home",
        }
        return await self.post(
            wire.view_block_action(user_id, action, value, view=view, team_id=self.team_id)
        )

    async def submit(
        self,
        user_id: str,
        callback: Callback,
        values: forms.Values,
        *,
        view_id: str | None = None,
        private_metadata: str = "",
    ) -> ClientResponse:
        """`user_id` submits a modal with `values`, as Slack would."""
        body = wire.view_submission(
            user_id,
            callback,
            values,
            view_id=view_id or f"V{next(_views):08d}",
            private_metadata=private_metadata,
            team_id=self.team_id,
        )
        return await self.post(body)

    async def submit_request(
        self,
        start: date,
        end: date,
        *,
        employee: str = EMPLOYEE,
        home: str = HOME,
        host: str = HOST,
        **overrides: dict[str, Any],
    ) -> Thread:
        """Submit a valid request and wait for the employee's confirmation, sent last."""

        def confirmation(call: Call) -> bool:
            """Whether the call is the employee's confirmation of the request."""
            return call.body["channel"] == employee and "is in writing" in call.text

        before = len([c for c in self.slack.sent("chat.postMessage") if confirmation(c)])
        values = forms.request_values(home=home, host=host, start=start, end=end, **overrides)
        response = await self.submit(employee, Callback.REQUEST, values)
        assert response.status == 200, await response.text()
        assert await response.text() == ""
        await self.slack.wait_for("chat.postMessage", before + 1, where=confirmation)
        async with self.sessions() as session:
            row = (await session.scalars(select(Secondment).order_by(Secondment.id.desc()))).first()
        assert row is not None and row.thread_ts is not None and row.channel_id is not None
        return Thread(row.id, row.channel_id, row.thread_ts)

    async def sweep(self, now: datetime) -> int:
        """Run the nudge sweep as the scheduler would, at an explicit moment, once the bot has
        finished what it runs after its acks: the sweep's moment may be days later, and the
        claims of the messages still being sent would look long run out to it."""
        await self.handled()
        return await send_due_nudges(self.client, self.deps, now)

    async def opened_modal(self, callback: Callback) -> Call:
        """The latest modal the bot opened with this callback."""
        opened = await self.slack.wait_for(
            "views.open", where=lambda c: c.body["view"]["callback_id"] == callback
        )
        return opened[-1]

    async def secondment(self, secondment_id: int) -> Secondment:
        """The secondment's row as stored now."""
        async with self.sessions() as session:
            row = await session.get(Secondment, secondment_id)
        assert row is not None
        return row

    async def audit(self, secondment_id: int) -> list[AuditEvent]:
        """The secondment's audit trail, in order."""
        async with self.sessions() as session:
            return list(
                await session.scalars(
                    select(AuditEvent)
                    .where(AuditEvent.secondment_id == secondment_id)
                    .order_by(AuditEvent.id)
                )
            )

    def thread_replies(self, thread: Thread) -> list[Call]:
        """The messages the bot posted in the thread."""
        return [
            c for c in self.slack.sent("chat.postMessage") if c.body.get("thread_ts") == thread.ts
        ]

    def updates(self, thread: Thread) -> list[Call]:
        """The updates the bot made to the thread's first message."""
        return self.slack.sent("chat.update", ts=thread.ts)


def listener_tasks() -> set[asyncio.Task[Any]]:
    """The tasks in which Bolt is running listeners after their acks."""
    return after_ack_tasks()


def blocks_of(call: Call) -> list[dict[str, Any]]:
    """The blocks a posted message or update carried."""
    blocks = call.body.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else list(blocks)


def buttons_in(call: Call) -> list[dict[str, Any]]:
    """The Approve and Block buttons in a message."""
    return [
        element
        for block in blocks_of(call)
        if block["type"] == "actions"
        for element in block["elements"]
        if element.get("action_id") in (Action.APPROVE, Action.BLOCK)
    ]
