"""Retention and erasure, end to end: the daily job anonymises (or deletes) what closed more than
RETENTION_YEARS ago and nothing else, and HR erases one person's data on request, after a
confirmation, with the erasure itself on record. Every personal trace is searched for in every
table afterwards, so a column forgotten by the code fails the test."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select, text

from bot.domain.states import Side
from bot.models import (
    AuditEvent,
    Base,
    KnownPerson,
    Nudge,
    OutgoingEvent,
    Secondment,
    TermsVersion,
)
from bot.services.retention import apply_retention
from bot.slack.ids import Action, Callback
from bot.slack_sdk_tables import SLACK_SDK_TABLES
from tests.slack.test_debrief import END, START, at, at_the_end
from tests.support import forms
from tests.support.flows import approved, block, click_then_submit, request_ref
from tests.support.harness import EMPLOYEE, HOME, HOST, OUTSIDER, Harness, Thread
from tests.support.oauth import OAUTH, TEAM_A, install, installers

HR = "U0HRPERSON"
# Events out to an HR system: each names the secondment's people, so erasure takes them too.
WEBHOOK = {"webhook_url": "http://127.0.0.1:9/hooks", "webhook_secret": "shared-with-the-hr-system"}
SIX_YEARS_ON = datetime(2033, 5, 1, 12, tzinfo=UTC)  # the debrief is recorded on 30 April 2027


async def completed(bot: Harness, clock: time_machine.Traveller) -> Thread:
    thread = await at_the_end(bot, clock)
    await bot.sweep(at(4, 30, 8))
    answer = await click_then_submit(
        bot,
        EMPLOYEE,
        Action.RECORD_DEBRIEF,
        request_ref(thread),
        thread,
        Callback.DEBRIEF,
        forms.debrief_values(achieved="Shipped the dashboard with Sam Jones."),
    )
    assert answer == ""
    assert (await bot.secondment(thread.secondment_id)).status == "completed"
    return thread


async def traces_of(bot: Harness, *needles: str) -> list[str]:
    """Every table cell, in every table (slack_sdk's too), that still holds one of `needles`."""
    found = []
    async with bot.sessions() as session:
        tables = [t.name for t in Base.metadata.sorted_tables] + sorted(SLACK_SDK_TABLES)
        for table in tables:
            for row in (await session.execute(text(f"SELECT * FROM {table}"))).mappings():
                for column, value in row.items():
                    cell = json.dumps(value, default=str) if value is not None else ""
                    if any(n in cell for n in needles):
                        found.append(f"{table}.{column}")
    return sorted(set(found))


@pytest.mark.settings(**WEBHOOK)
async def test_the_daily_job_anonymises_what_closed_six_years_ago_and_nothing_else(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    old = await completed(bot, clock)
    clock.move_to(datetime(2028, 1, 10, 10, tzinfo=UTC))
    recent = await bot.submit_request(datetime(2028, 3, 1).date(), datetime(2028, 6, 30).date())

    applied = await apply_retention(bot.sessions, now=SIX_YEARS_ON, policy=bot.deps.policy)
    again = await apply_retention(bot.sessions, now=SIX_YEARS_ON, policy=bot.deps.policy)

    assert (applied.anonymised, again.anonymised) == ([old.secondment_id], [])
    row = await bot.secondment(old.secondment_id)
    assert (row.employee_id, row.home_manager_id, row.status, row.outcome) == (
        "erased",
        "erased",
        "completed",
        "returned",
    )
    async with bot.sessions() as session:
        (terms,) = await session.scalars(
            select(TermsVersion).where(TermsVersion.secondment_id == old.secondment_id)
        )
        kept = await session.scalars(
            select(Secondment).where(Secondment.id == recent.secondment_id)
        )
        assert (await session.scalars(select(Nudge).where(Nudge.secondment_id == 1))).all() == []
    assert (terms.start_date, terms.end_date, terms.host_team) == (START, END, "Data Platform")
    assert terms.responsibilities == "[removed]"
    assert kept.one().employee_id == EMPLOYEE  # still open, and too recent anyway
    events = [e.action for e in await bot.audit(old.secondment_id)]
    assert events.count("anonymised") == 1
    # The recent request holds the same people; the old one holds none of their words.
    assert await traces_of(bot, "Sam Jones", "Shipped the dashboard") == []
    async with bot.sessions() as session:
        events_out = (await session.scalars(select(OutgoingEvent.secondment_id))).all()
    assert set(events_out) == {recent.secondment_id}


async def test_nothing_is_anonymised_a_day_before_the_six_years_are_up(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    await completed(bot, clock)

    applied = await apply_retention(
        bot.sessions, now=datetime(2033, 4, 29, 12, tzinfo=UTC), policy=bot.deps.policy
    )

    assert applied.anonymised == []


@pytest.mark.settings(retention_action="delete", retention_years=1)
async def test_with_the_delete_action_the_secondment_and_all_it_holds_go(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread = await completed(bot, clock)

    applied = await apply_retention(
        bot.sessions, now=datetime(2028, 5, 1, tzinfo=UTC), policy=bot.deps.policy
    )

    assert applied.deleted == [thread.secondment_id]
    assert await traces_of(bot, "Shipped the dashboard", "Data Platform") == []
    async with bot.sessions() as session:
        (event,) = await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "retention_deleted")
        )
    assert event.detail == {"secondments": [thread.secondment_id]}


@pytest.mark.settings(hr_users=HR, public_url="https://secondments.example.com", **WEBHOOK)
async def test_hr_erases_a_person_after_confirming_and_no_trace_of_them_is_left(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    bot.slack.add_user(HR)
    thread = await completed(bot, clock)
    _, linked = await bot.command(HOME, "calendar")  # their calendar link goes too
    feed = re.search(r"/calendar/[\w-]+\.ics", (await bot.reply_to(linked)).text)
    assert feed is not None and (await bot.http.get(feed.group())).status == 200
    async with bot.sessions() as session:
        assert await session.get(KnownPerson, ("T0TEAM", HOME)) is not None
    # Their time away goes, and they are no longer named as another's delegate.
    soon = bot.deps.clock.now().date() + timedelta(days=30)
    for person, delegate in ((HOME, None), (HOST, HOME)):
        away = forms.away_values(soon, soon + timedelta(days=4), delegate)
        assert (await bot.submit(person, Callback.AWAY, away)).status == 200
    assert "absences.person_id" in await traces_of(bot, HOME)

    _, asked = await bot.command(HR, f"erase <@{HOME}|home>")
    confirmation = await bot.reply_to(asked)
    response, done = await bot.click(HR, Action.ERASE_PERSON, _Value(HOME), thread)

    assert "Erase <@U0HOME>'s personal data?" in confirmation.text
    assert response.status == 200
    assert "erased from 1 secondment" in (await bot.reply_to(done)).text
    assert await traces_of(bot, HOME) == []
    assert (await bot.http.get(feed.group())).status == 404
    row = await bot.secondment(thread.secondment_id)
    assert (row.employee_id, row.host_manager_id, row.home_manager_id) == (
        EMPLOYEE,
        HOST,
        "erased",
    )
    async with bot.sessions() as session:
        (event,) = await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "person_erased")
        )
    assert (event.actor_id, event.secondment_id, event.detail) == (HR, None, {"secondments": 1})


@pytest.mark.settings(hr_users=HR, **WEBHOOK)
async def test_a_managers_words_go_with_them_and_the_others_stay(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    thread = await bot.submit_request(START, END)
    await block(bot, HOST, thread, Side.HOST, explanation="Our team lead Priya is on leave then.")
    await click_then_submit(
        bot,
        HOME,
        Action.RESPOND,
        request_ref(thread),
        thread,
        Callback.RESPOND,
        forms.text_values(f"Could we start in March instead, <@{HOST}>?"),
    )
    await bot.click(EMPLOYEE, Action.WITHDRAW, request_ref(thread), thread)
    await bot.slack.wait_for("chat.postMessage", where=lambda c: "withdrew" in c.text)
    assert (await bot.secondment(1)).status == "withdrawn"
    bot.slack.add_user(HR)

    _, done = await bot.click(HR, Action.ERASE_PERSON, _Value(HOST), thread)

    assert "erased from 1 secondment" in (await bot.reply_to(done)).text
    assert await traces_of(bot, HOST, "Priya") == []
    assert (await bot.secondment(1)).employee_id == EMPLOYEE
    assert await traces_of(bot, "start in March instead") != []  # the home manager's words stay
    assert await traces_of(bot, "Data Platform") != []  # the request itself stays


@pytest.mark.settings(hr_users=f"{HR},U0HRSECOND", **WEBHOOK)
async def test_erasing_an_hr_person_removes_the_events_that_name_them_as_who_acted(
    bot: Harness,
) -> None:
    """An HR person is in no secondment's people, but the HR system's events name who acted."""
    bot.slack.add_user(HR)
    bot.slack.add_user("U0HRSECOND")
    thread = await approved(bot, START, END)
    _, changed = await bot.command(HR, f"checkins {thread.secondment_id} 4")
    await bot.reply_to(changed)
    assert "events_out.body" in await traces_of(bot, HR)

    _, asked = await bot.command("U0HRSECOND", f"erase <@{HR}|hr>")
    await bot.reply_to(asked)
    _, done = await bot.click("U0HRSECOND", Action.ERASE_PERSON, _Value(HR), thread)
    await bot.reply_to(done)

    assert "events_out.body" not in await traces_of(bot, HR)
    async with bot.sessions() as session:
        assert (await session.scalar(select(func.count()).select_from(OutgoingEvent)) or 0) > 0


@pytest.mark.settings(hr_users=HR)
async def test_erasure_waits_for_open_secondments_and_is_for_hr_only(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    bot.slack.add_user(HR)
    thread = await bot.submit_request(START, END)

    _, by_manager = await bot.command(HOME, f"erase <@{EMPLOYEE}|e>")
    _, clicked_by_manager = await bot.click(HOME, Action.ERASE_PERSON, _Value(EMPLOYEE), thread)
    _, while_open = await bot.click(HR, Action.ERASE_PERSON, _Value(EMPLOYEE), thread)
    _, nobody = await bot.command(HR, "erase someone")

    assert "Only HR can erase a person's data" in (await bot.reply_to(by_manager)).text
    assert "Only HR can" in (await bot.reply_to(clicked_by_manager)).text
    assert "still part of open secondments (#1)" in (await bot.reply_to(while_open)).text
    assert "I don't know `erase someone`" in (await bot.reply_to(nobody)).text
    assert (await bot.secondment(1)).employee_id == EMPLOYEE
    assert await traces_of(bot, OUTSIDER) == []


class _Value:
    """A button value that is a person's id, as the confirmation's button carries it."""

    def __init__(self, user_id: str) -> None:
        self.user_id = user_id

    def encode(self) -> str:
        return self.user_id


@pytest.mark.settings(**OAUTH, hr_users=HR)
async def test_erasing_the_person_who_installed_the_app_leaves_the_installation_anonymous(
    bot: Harness,
) -> None:
    bot.slack.add_user(HR)
    await install(bot, TEAM_A, installer=HOME)
    assert await installers(bot) == [(TEAM_A, HOME)]
    thread = await bot.submit_request(START, END)
    await bot.click(EMPLOYEE, Action.WITHDRAW, request_ref(thread), thread)
    await bot.slack.wait_for("chat.postMessage", where=lambda c: "withdrew" in c.text)

    _, done = await bot.click(HR, Action.ERASE_PERSON, _Value(HOME), thread)

    assert "erased from 1 secondment" in (await bot.reply_to(done)).text
    assert await installers(bot) == [(TEAM_A, "erased")]
    assert await traces_of(bot, HOME) == []
