"""Key dates in people's own calendars, as they get them: `/secondment calendar` (and "Add to
calendar" on the approval) gives a private link, a calendar app GETs it and reads the
iCalendar file with the `icalendar` library, the feed follows changes, and a reset link or an
unknown one answers 404."""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any

import aiohttp
import pytest
from icalendar import Calendar
from sqlalchemy import delete, select
from sqlalchemy.exc import OperationalError

from bot import web
from bot.domain.states import Side
from bot.logs import LogFormat
from bot.models import AuditEvent, CalendarFeed
from bot.slack.ids import Action
from tests.support import forms
from tests.support.flows import approve, approved
from tests.support.harness import EMPLOYEE, HOME, HOST, OUTSIDER, Harness, blocks_of
from tests.support.logs import captured

PUBLIC_URL = "https://secondments.example.com"
CALENDARS = {"public_url": PUBLIC_URL}
START, END = date(2027, 2, 1), date(2027, 7, 30)
LINK = re.compile(re.escape(PUBLIC_URL) + r"(/calendar/[A-Za-z0-9_-]+\.ics)")


class _Value:
    """A button's plain value: a version number, a secondment's id."""

    def __init__(self, value: str) -> None:
        self.value = value

    def encode(self) -> str:
        return self.value


async def link_of(bot: Harness, user_id: str) -> tuple[str, dict[str, Any]]:
    """The path of the person's calendar link, from `/secondment calendar`, and the reply."""
    response, name = await bot.command(user_id, "calendar")
    assert response.status == 200
    reply = await bot.reply_to(name)
    found = LINK.search(reply.text)
    assert found is not None, reply.text
    return found.group(1), reply.body


async def fetched(bot: Harness, path: str) -> Calendar:
    """The feed as a calendar app reads it."""
    response = await bot.http.get(path)
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(await response.read())


def events(calendar: Calendar) -> list[tuple[date, str]]:
    return [(e.decoded("dtstart"), str(e["summary"])) for e in calendar.walk("VEVENT")]


async def audited(bot: Harness, action: str) -> list[AuditEvent]:
    async with bot.sessions() as session:
        return list(await session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.mark.settings(**CALENDARS)
async def test_the_employee_subscribes_and_the_feed_holds_every_key_date(bot: Harness) -> None:
    thread = await approved(bot, START, END)
    number = thread.secondment_id

    path, reply = await link_of(bot, EMPLOYEE)
    calendar = await fetched(bot, path)

    assert reply["response_type"] == "ephemeral"
    assert str(calendar["x-wr-calname"]) == "Secondments"
    check_ins = [
        date(2027, 2, 15),
        date(2027, 3, 1),
        date(2027, 3, 15),
        date(2027, 3, 29),
        date(2027, 4, 12),
        date(2027, 4, 26),
        date(2027, 5, 10),
        date(2027, 5, 24),
        date(2027, 6, 7),
        date(2027, 6, 21),
        date(2027, 7, 5),
        date(2027, 7, 19),
    ]
    checking = [(d, f"Secondment #{number}: check-in {n}") for n, d in enumerate(check_ins, 1)]
    assert events(calendar) == [
        (START, f"Secondment #{number}: starts"),
        *checking[:10],
        # 30 days before the end (END_DECISION_DAYS), the employee and managers are asked.
        (
            date(2027, 6, 30),
            f"Secondment #{number}: end-of-term decision (return, extend or permanent)",
        ),
        *checking[10:],
        (END, f"Secondment #{number}: last day"),
        (END, f"Secondment #{number}: return debrief"),
    ]
    start = calendar.walk("VEVENT")[0]
    assert start.decoded("dtend") == date(2027, 2, 2)  # all day
    assert str(start["transp"]) == "TRANSPARENT"
    assert "Your secondment as" in str(start["description"])
    assert f"/secondment status {number}" in str(start["description"])
    # Every event keeps its UID across refreshes, so a calendar app moves it, not copies it.
    uids = [str(e["uid"]) for e in calendar.walk("VEVENT")]
    assert len(set(uids)) == len(uids)
    assert (await fetched(bot, path)).walk("VEVENT")[5]["uid"] == uids[5]


@pytest.mark.settings(**CALENDARS)
async def test_the_same_link_each_time_made_once(bot: Harness) -> None:
    first, _ = await link_of(bot, EMPLOYEE)
    second, _ = await link_of(bot, EMPLOYEE)

    assert first == second
    (made,) = await audited(bot, "calendar_link_made")
    assert made.actor_id == EMPLOYEE
    # Someone in no secondment has an empty calendar, not an error.
    assert events(await fetched(bot, first)) == []


@pytest.mark.settings(**CALENDARS, hr_users="U0HR")
async def test_the_feed_follows_changes(bot: Harness) -> None:
    thread = await approved(bot, START, END)
    path, _ = await link_of(bot, EMPLOYEE)
    before = [d for d, what in events(await fetched(bot, path)) if "check-in" in what]

    response, name = await bot.command("U0HR", f"checkins {thread.secondment_id} 4")
    assert response.status == 200
    await bot.reply_to(name)
    after = [d for d, what in events(await fetched(bot, path)) if "check-in" in what]

    assert (len(before), len(after)) == (12, 6)
    assert after[:2] == [date(2027, 3, 1), date(2027, 3, 29)]


@pytest.mark.settings(**CALENDARS)
async def test_a_reset_link_answers_404_and_a_second_click_resets_nothing_more(
    bot: Harness,
) -> None:
    thread = await approved(bot, START, END)
    old, reply = await link_of(bot, EMPLOYEE)
    (button,) = [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"] == Action.CALENDAR_RESET
    assert button["confirm"]["confirm"]["text"] == "Reset"

    response, name = await bot.click(
        EMPLOYEE, Action.CALENDAR_RESET, _Value(button["value"]), thread
    )
    assert response.status == 200
    reset = await bot.reply_to(name)
    _, name = await bot.click(EMPLOYEE, Action.CALENDAR_RESET, _Value(button["value"]), thread)
    repeated = await bot.reply_to(name)

    new = LINK.search(reset.text)
    assert new is not None and new.group(1) != old
    assert "the old address no longer works" in reset.text
    assert reset.body["replace_original"] is True
    assert "already reset" in repeated.text
    assert LINK.search(repeated.text).group(1) == new.group(1)  # type: ignore[union-attr]
    assert (await bot.http.get(old)).status == 404
    assert events(await fetched(bot, new.group(1)))
    assert len(await audited(bot, "calendar_link_reset")) == 1


@pytest.mark.settings(**CALENDARS)
async def test_a_reset_after_the_link_was_erased_gives_a_new_one(bot: Harness) -> None:
    thread = await approved(bot, START, END)
    old, _ = await link_of(bot, EMPLOYEE)
    async with bot.sessions.begin() as session:  # as erasure leaves it
        await session.execute(delete(CalendarFeed))

    _, name = await bot.click(EMPLOYEE, Action.CALENDAR_RESET, _Value("1"), thread)
    reply = await bot.reply_to(name)

    new = LINK.search(reply.text)
    assert new is not None and new.group(1) != old
    assert (await bot.http.get(new.group(1))).status == 200
    assert (await bot.http.get(old)).status == 404


@pytest.mark.settings(**CALENDARS)
async def test_a_feed_the_database_cannot_serve_now_is_503_and_its_token_is_not_logged(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = await link_of(bot, EMPLOYEE)
    token = path.removeprefix("/calendar/").removesuffix(".ics")

    async def database_down(*_args: object, **_kwargs: object) -> None:
        raise OperationalError(f"SELECT ... WHERE token = '{token}'", {}, ConnectionError())

    monkeypatch.setattr(web, "feed_for", database_down)
    with captured("json", level=logging.INFO) as logs:
        response = await bot.http.get(path)

    assert response.status == 503
    assert "a calendar feed was not served: OperationalError" in logs.getvalue()
    assert token not in logs.getvalue()


@pytest.mark.settings(**CALENDARS)
async def test_unknown_and_malformed_links_answer_404(bot: Harness) -> None:
    await link_of(bot, EMPLOYEE)
    for path in (
        "/calendar/" + "A" * 43 + ".ics",
        "/calendar/short.ics",
        "/calendar/%27%3B--" + "a" * 40 + ".ics",
        "/calendar/" + "a" * 500 + ".ics",
    ):
        response = await bot.http.get(path)
        assert response.status == 404, path
        assert "text/calendar" not in response.headers.get("Content-Type", "")


async def test_without_a_public_url_there_are_no_links_and_no_feeds(bot: Harness) -> None:
    thread = await approved(bot, START, END)

    response, name = await bot.command(EMPLOYEE, "calendar")
    reply = await bot.reply_to(name)

    assert response.status == 200
    assert "Calendar links are not set up here" in reply.text
    assert "`PUBLIC_URL`" in reply.text
    announcement = next(
        c for c in bot.thread_replies(thread) if "Both managers have approved" in c.text
    )
    assert [b["type"] for b in blocks_of(announcement)] == ["section"]
    assert (await bot.http.get("/calendar/" + "A" * 43 + ".ics")).status == 404


@pytest.mark.settings(**CALENDARS)
async def test_add_to_calendar_on_the_approval_gives_whoever_clicks_their_own_link(
    bot: Harness,
) -> None:
    thread = await approved(bot, START, END)
    announcement = next(
        c for c in bot.thread_replies(thread) if "Both managers have approved" in c.text
    )
    (button,) = [
        e for b in blocks_of(announcement) if b["type"] == "actions" for e in b["elements"]
    ]
    assert (button["action_id"], button["text"]["text"]) == (
        Action.CALENDAR_SUBSCRIBE,
        "📅 Add to calendar",
    )

    response, name = await bot.click(
        HOST, Action.CALENDAR_SUBSCRIBE, _Value(button["value"]), thread
    )
    reply = await bot.reply_to(name)
    employee_path, _ = await link_of(bot, EMPLOYEE)

    assert response.status == 200
    assert (reply.body["response_type"], reply.body["replace_original"]) == ("ephemeral", False)
    host = LINK.search(reply.text)
    assert host is not None and host.group(1) != employee_path
    calendar = await fetched(bot, host.group(1))
    first = calendar.walk("VEVENT")[0]
    assert str(first["summary"]) == f"Secondment #{thread.secondment_id}: starts"
    assert str(first["description"]).startswith("The secondment as")


@pytest.mark.settings(**CALENDARS)
async def test_a_feed_holds_only_its_owners_secondments(bot: Harness) -> None:
    await approved(bot, START, END)

    path, _ = await link_of(bot, OUTSIDER)

    assert events(await fetched(bot, path)) == []


@pytest.mark.settings(**CALENDARS)
async def test_what_people_typed_is_carried_as_text(bot: Harness) -> None:
    """Commas, semicolons, quotes and line breaks are escaped: typed text cannot add events
    or properties of its own."""
    hostile = 'Ops, "Night"; shift\r\nEND:VEVENT\r\nBEGIN:VEVENT <script>'
    thread = await bot.submit_request(START, END, host_team=forms.text(hostile))
    await approve(bot, HOME, thread, Side.HOME)
    await approve(bot, HOST, thread, Side.HOST)
    await bot.handled()
    path, _ = await link_of(bot, EMPLOYEE)

    raw = (await (await bot.http.get(path)).read()).decode()
    calendar = Calendar.from_ical(raw)

    assert raw.split("\r\n").count("BEGIN:VEVENT") == len(calendar.walk("VEVENT")) == 16
    # A line break is kept as one, in the description's text.
    typed = hostile.replace("\r\n", "\n")
    assert f"in {typed}," in str(calendar.walk("VEVENT")[0]["description"])


@pytest.mark.parametrize("log_format", ["text", "json"])
@pytest.mark.settings(**CALENDARS)
async def test_the_access_log_shows_a_feed_s_path_without_its_token(
    bot: Harness, log_format: LogFormat
) -> None:
    path, _ = await link_of(bot, EMPLOYEE)
    token = path.removeprefix("/calendar/").removesuffix(".ics")

    # At INFO, as the bot logs by default. A connection of its own: aiohttp decides whether
    # to log a connection's requests when it opens.
    with captured(log_format, level=logging.INFO) as logs:
        async with aiohttp.ClientSession() as app:
            assert (await app.get(bot.http.make_url(path))).status == 200

    lines = logs.getvalue()
    assert "GET /calendar/[token] HTTP/1.1" in lines
    assert token not in lines
