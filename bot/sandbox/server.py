"""The sandbox page's server, on 127.0.0.1: the page itself (bot/sandbox/static/, index at `/`,
the rest under `/static/`) and the JSON API the page uses to see the workspace as one person and
to act as them.

- `GET /api/state?as=<user id>` (the employee when absent): the workspace as that person sees
  it: `{"run", "version"` (this run's name, and how many changes it has seen), `"now", "team":
  {"id","name"}, "bot": {"id","name"}, "personas": [{"id","name","title","tz","waiting"}]`
  (`waiting`: what that person has not seen yet), `"me", "conversations": [{"id","name","kind":
  "dm"|"group"|"channel","members","unread"}]` (the DM with the bot first), `"messages":
  {<conversation id>: [Msg, oldest first]}, "home":
  {"view_id","view"} | null, "modals": [{"view_id","view","errors": {block_id: message}}]` (top
  last), `"users": {<id>: {"name"}}}`, where Msg is `{"ts","user","text","blocks": [...] | null,
  "replies": [Msg],"ephemeral","edited","files": [{"name","url"}]}`. Views and blocks are the
  JSON the bot sent.
- `POST /api/command {"as","channel","command","text"}`: a slash command typed in a
  conversation.
- `POST /api/action {"as","source","action"}`: a click or a choice. `source` is
  `{"type":"message","channel","ts"}`, `{"type":"view","view_id"}` or `{"type":"home",
  "view_id"}`; `action` is `{"block_id","action_id","type"}` with the value as Slack names it
  (`value`, `selected_option`, `selected_options`, `selected_user`, `selected_date`).
- `POST /api/submit {"as","view_id","values"}`, `values` as Slack's `view.state.values`
  (`{block_id: {action_id: {"type", ...}}}`): `{"ok": true}` or, when the bot finds fields
  wrong, `{"ok": false, "errors": {block_id: message}}`.
- `POST /api/close {"as","view_id"}`: the modal closed.
- `POST /api/home {"as"}`: the person opened the bot's Home tab.
- `POST /api/clock {"days","hours"}`: move the clock forward and sweep the nudges due at the
  new time at once: `{"ok": true, "now", "sent"}`. Whole days alone land no earlier than 10:00
  on the day reached, when that day's messages have gone out.
- `POST /api/read {"as","channel"}`: the person has seen the conversation so far (its unread
  count, and their `waiting` among the personas, go down).
- `POST /api/reset {}`: start over: no secondments, the starting workspace, the real time.
- `GET /api/events`: server-sent events, one `data: <version>` at once and another after each
  change of the workspace. The bot posts after it acknowledges, so the page reads the state
  when told, rather than asking again and again.
- `GET /files/<id>/<name>`: a file the bot shared (a CSV report, a written record).

Each POST answers `{"ok": true}`, or `{"ok": false, "error"}` with HTTP 400 when the action
cannot be taken.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.sandbox.actions import PERSON_IDS, People, Refused
from bot.sandbox.clock import MovableClock
from bot.slack_standin.personas import EMPLOYEE
from bot.slack_standin.seen import seen_by
from bot.slack_standin.wire import Json
from bot.slack_standin.workspace import Workspace

STATIC = Path(__file__).resolve().parent / "static"
# How often an event stream with nothing to say writes a comment, so that one whose page has
# gone is noticed and ended.
KEEP_ALIVE_SECONDS = 30
Sweep = Callable[[datetime], Awaitable[int]]


@dataclass
class _Page:
    """The page's handlers and what they share: the people acting, the clock, the sweep, the
    reset, the bot's calendar feeds, and the event that ends the open event streams at shutdown."""

    people: People
    clock: MovableClock
    sweep: Sweep
    start_over: Callable[[], Awaitable[None]]
    calendar_feed: Callable[[str], Awaitable[web.Response]]
    closing: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def workspace(self) -> Workspace:
        """The workspace the page shows."""
        return self.people.workspace

    async def index(self, _request: web.Request) -> web.FileResponse:
        """`GET /`: the page itself."""
        return web.FileResponse(STATIC / "index.html")

    async def state(self, request: web.Request) -> web.Response:
        """`GET /api/state`: the workspace as one person sees it."""
        try:
            me = _person(request.query.get("as"))
        except Refused as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=400)
        return web.json_response(seen_by(self.workspace, me))

    async def events(self, request: web.Request) -> web.StreamResponse:
        """`GET /api/events`: the workspace's version now and after each change."""
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"}
        )
        await response.prepare(request)
        told = -1
        workspace = self.workspace
        while not self.closing.is_set():
            change = workspace.next_change()
            try:
                if workspace.version != told:
                    told = workspace.version
                    await response.write(f"data: {told}\n\n".encode())
                else:
                    # A comment line: nothing for the page, but a closed tab shows up here.
                    await response.write(b": still here\n\n")
            except ConnectionResetError:  # the page went away
                break
            await _first(change.wait(), self.closing.wait(), asyncio.sleep(KEEP_ALIVE_SECONDS))
        return response

    async def file(self, request: web.Request) -> web.Response:
        """`GET /files/<id>/<name>`: a file the bot shared."""
        upload = self.workspace.uploads.get(request.match_info["file_id"])
        if upload is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=upload.content,
            content_type="text/plain" if upload.name.endswith(".md") else "text/csv",
            charset="utf-8",
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(upload.name)}"},
        )

    async def calendar(self, request: web.Request) -> web.Response:
        """`GET /calendar/<name>`: a person's calendar feed, from the bot."""
        return await self.calendar_feed(request.match_info["name"])

    async def command(self, body: Json) -> Json:
        """`POST /api/command`: a slash command typed in a conversation."""
        await self.people.command(
            _person(body.get("as")),
            str(body.get("channel")),
            str(body.get("command") or "/secondment"),
            str(body.get("text") or ""),
        )
        return {"ok": True}

    async def action(self, body: Json) -> Json:
        """`POST /api/action`: a click or a choice."""
        people = self.people
        await people.act(_person(body.get("as")), _object(body, "source"), _object(body, "action"))
        return {"ok": True}

    async def submit(self, body: Json) -> Json:
        """`POST /api/submit`: a modal submitted; the bot's field errors, if any."""
        errors = await self.people.submit(
            _person(body.get("as")), str(body.get("view_id")), _object(body, "values")
        )
        return {"ok": False, "errors": errors} if errors else {"ok": True}

    async def close(self, body: Json) -> Json:
        """`POST /api/close`: a modal closed."""
        await self.people.close(_person(body.get("as")), str(body.get("view_id")))
        return {"ok": True}

    async def home(self, body: Json) -> Json:
        """`POST /api/home`: the bot's Home tab opened."""
        await self.people.open_home(_person(body.get("as")))
        return {"ok": True}

    async def move_clock(self, body: Json) -> Json:
        """`POST /api/clock`: the clock moved forward, and the nudges due then swept."""
        clock = self.clock
        try:
            days, hours = int(body.get("days") or 0), int(body.get("hours") or 0)
            # Whole days land in the working day (MovableClock.advance_days); hours are exact.
            now = (
                clock.advance_days(days)
                if days and not hours
                else clock.advance(timedelta(days=days, hours=hours))
            )
        except (TypeError, ValueError) as exc:
            raise Refused(f"days and hours must be whole numbers, not negative: {exc}") from None
        self.workspace.changed()  # the moved clock is saved, and shown, before the sweep
        sent = await self.sweep(now)
        self.workspace.changed()
        return {"ok": True, "now": now.isoformat(), "sent": sent}

    async def read(self, body: Json) -> Json:
        """`POST /api/read`: a person has seen a conversation so far."""
        self.workspace.mark_read(_person(body.get("as")), str(body.get("channel")))
        return {"ok": True}

    async def reset(self, _body: Json) -> Json:
        """`POST /api/reset`: start over."""
        await self.start_over()
        return {"ok": True}

    async def stop_streams(self, _app: web.Application) -> None:
        """End the open event streams, at shutdown."""
        self.closing.set()


def build_page_app(
    people: People,
    clock: MovableClock,
    sweep: Sweep,
    start_over: Callable[[], Awaitable[None]],
    calendar_feed: Callable[[str], Awaitable[web.Response]],
) -> web.Application:
    """The page's server: the page, the workspace as one person sees it, and the actions."""
    page = _Page(people, clock, sweep, start_over, calendar_feed)
    # One action at a time, as one person at one page acts: above all, a reset never runs while
    # another action, or a move of the clock with its sweep, is half-way.
    acting = asyncio.Lock()
    app = web.Application()
    app.on_shutdown.append(page.stop_streams)
    app.router.add_get("/", page.index)
    app.router.add_get("/api/state", page.state)
    app.router.add_get("/api/events", page.events)
    app.router.add_get("/files/{file_id}/{name}", page.file)
    # People's calendar links point here (the sandbox's PUBLIC_URL is the page): the bot
    # serves each feed, as it would at its own public address.
    app.router.add_get("/calendar/{name}", page.calendar)
    for path, handler in (
        ("/api/command", page.command),
        ("/api/action", page.action),
        ("/api/submit", page.submit),
        ("/api/close", page.close),
        ("/api/home", page.home),
        ("/api/clock", page.move_clock),
        ("/api/read", page.read),
        ("/api/reset", page.reset),
    ):
        app.router.add_post(path, _json_api(handler, acting))
    app.router.add_static("/static/", STATIC)
    return app


def _json_api(handler: Callable[[Json], Awaitable[Json]], acting: asyncio.Lock) -> Handler:
    """A JSON body in, a JSON answer out, one action at a time; one that cannot be taken
    answers 400."""

    async def handle(request: web.Request) -> web.StreamResponse:
        """The handler, with the JSON in and out and one action at a time."""
        try:
            body = await request.json()
            if not isinstance(body, dict):
                raise Refused("the body must be a JSON object")
            async with acting:
                return web.json_response(await handler(body))
        except json.JSONDecodeError:
            return web.json_response({"ok": False, "error": "the body must be JSON"}, status=400)
        except Refused as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=400)

    return handle


async def _first(*waits: Coroutine[Any, Any, Any]) -> None:
    """Wait until the first of these is done, and drop the others."""
    tasks = [asyncio.ensure_future(wait) for wait in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()


def _person(user: Any) -> str:
    if not user:
        return EMPLOYEE.id
    if user not in PERSON_IDS:
        raise Refused(f"no such person: {user}")
    return str(user)


def _object(body: Json, key: str) -> Json:
    value = body.get(key)
    if not isinstance(value, dict):
        raise Refused(f"{key} must be a JSON object")
    return value
