"""The App Home, end to end through the Slack stand-in: what each person sees when they open it,
deciding from it with the thread's own buttons, "Show more", who may see what, and a thousand
secondments within Slack's limits."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.decisions import DecisionRef
from bot.domain.events_out import EventType
from bot.domain.home_view import HomeSection
from bot.domain.states import EndOutcome, Outcome, Side, SideState, Status
from bot.services.audit import record_event
from bot.slack.builders.home import TITLES
from bot.slack.builders.home_limits import DEFAULT_LIMITS, decode_limits, most
from bot.slack.ids import Action, Callback
from bot.slack_standin.recorded import Call
from tests.support import forms
from tests.support.flows import approved, decisions, delegate, request_ref
from tests.support.harness import EMPLOYEE, HOME, HOST, OUTSIDER, Harness
from tests.support.seeds import Spec, counting, seed

START, END = date(2027, 2, 1), date(2027, 7, 30)  # Monday 1 February to the end of July
HR = "U0HRPERSON"
HR_TITLES = [TITLES[s] for s in HomeSection if s.for_hr]


def at(month: int, day: int, hour: int) -> datetime:
    return datetime(2027, month, day, hour, tzinfo=UTC)


def parts(home: Call) -> dict[str, list[dict[str, Any]]]:
    """The Home's blocks by section title: from each header to the divider after it."""
    found: dict[str, list[dict[str, Any]]] = {}
    current: str | None = None
    for block in home.body["view"]["blocks"]:
        if block["type"] == "header":
            current = block["text"]["text"]
            found[current] = []
        elif block["type"] == "divider":
            current = None
        elif current is not None:
            found[current].append(block)
    return found


def part(home: Call, section: HomeSection) -> list[dict[str, Any]]:
    return parts(home)[TITLES[section]]


def text(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def count_line(blocks: list[dict[str, Any]]) -> str:
    """What the section says about how many it shows (its context line)."""
    (line,) = [b["elements"][0]["text"] for b in blocks if b["type"] == "context"]
    return str(line)


def items(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b for b in blocks if b["type"] == "section"]


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def show_more_value(blocks: list[dict[str, Any]]) -> str | None:
    found = [b["value"] for b in buttons(blocks) if b["action_id"] == Action.HOME_SHOW_MORE]
    return found[0] if found else None


async def opened(bot: Harness, user: str) -> Call:
    """Open the user's Home and return what the bot published."""
    before = len(bot.slack.sent("views.publish", user_id=user))
    response = await bot.open_home(user)
    assert response.status == 200
    return await bot.home_of(user, before + 1)


async def clicked(bot: Harness, user: str, action: Action, value: str) -> Call:
    """Click a button on the user's Home and return the Home published after it."""
    before = len(bot.slack.sent("views.publish", user_id=user))
    response = await bot.click_on_home(user, action, value)
    assert response.status == 200
    return await bot.home_of(user, before + 1)


# --- every person's own sections --------------------------------------------------------------


async def test_the_employee_sees_their_own_secondments_and_nobody_elses(bot: Harness) -> None:
    bot.slack.add_user("U0OTHER")
    await bot.submit_request(START, END)
    await bot.submit_request(START, END, employee="U0OTHER")

    home = await opened(bot, EMPLOYEE)

    mine = part(home, HomeSection.MINE)
    (item,) = items(mine)
    assert "*#1*" in item["text"]["text"] and "Analytics engineer" in item["text"]["text"]
    assert f"waiting for <@{HOME}> (home manager) and <@{HOST}> (host manager)" in text(mine)
    assert item["accessory"]["url"].startswith("https://test.slack.com/archives/")
    assert count_line(mine) == "Showing 1 of 1."
    assert "#2" not in home.blocks_text and "U0OTHER" not in home.blocks_text
    assert not set(HR_TITLES) & set(parts(home))
    assert home.body["view"]["type"] == "home"


async def test_a_manager_approves_from_the_home_and_the_thread_and_home_follow(
    bot: Harness,
) -> None:
    thread = await bot.submit_request(START, END)

    home = await opened(bot, HOME)

    waiting = part(home, HomeSection.DECISIONS)
    assert "You decide the *home manager* side" in text(waiting)
    on_home = {b["action_id"]: b["value"] for b in buttons(waiting)}
    ref = DecisionRef(thread.secondment_id, Side.HOME, 1).encode()
    assert on_home == {Action.APPROVE: ref, Action.BLOCK: ref, Action.CONDITIONS: ref}
    assert part(home, HomeSection.MINE) and "#1" not in text(part(home, HomeSection.MINE))

    after = await clicked(bot, HOME, Action.APPROVE, on_home[Action.APPROVE])

    (decision,) = await decisions(bot)
    assert (decision.side, decision.outcome, decision.decided_by) == (
        Side.HOME,
        Outcome.APPROVED,
        HOME,
    )
    (reply,) = bot.thread_replies(thread)
    assert "approved the *home manager* side" in reply.text
    assert "*approved* by <@U0HOME>" in bot.updates(thread)[-1].blocks_text
    assert count_line(part(after, HomeSection.DECISIONS)) == "Nothing is waiting for your decision."
    assert not bot.slack.sent("response_url")
    assert not bot.slack.sent("chat.postMessage", channel=HOME)


async def test_blocking_from_the_home_opens_the_form_and_records_the_block(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)
    home = await opened(bot, HOST)
    (value,) = {b["value"] for b in buttons(part(home, HomeSection.DECISIONS))}

    response = await bot.click_on_home(HOST, Action.BLOCK, value)

    assert response.status == 200
    modal = await bot.opened_modal(Callback.BLOCK)
    submitted = await bot.submit(
        HOST,
        Callback.BLOCK,
        forms.block_values(),
        private_metadata=modal.body["view"]["private_metadata"],
    )
    assert await submitted.text() == ""
    await bot.slack.wait_for("chat.update")
    assert (await bot.secondment(thread.secondment_id)).status is Status.BLOCKED
    blocked = await opened(bot, EMPLOYEE)
    assert "Blocked by the host manager: Cover or backfill." in text(
        part(blocked, HomeSection.MINE)
    )


async def test_a_click_on_someone_elses_decision_is_refused_by_direct_message(
    bot: Harness,
) -> None:
    await bot.submit_request(START, END)
    await opened(bot, OUTSIDER)

    response = await bot.click_on_home(
        OUTSIDER, Action.APPROVE, DecisionRef(1, Side.HOME, 1).encode()
    )

    assert response.status == 200
    (refusal,) = await bot.slack.wait_for(
        "chat.postMessage", where=lambda c: c.body["channel"] == OUTSIDER
    )
    assert "Only <@U0HOME> can decide the home manager side" in refusal.text
    assert not await decisions(bot)


async def test_a_delegate_sees_the_decision_and_the_manager_no_longer_does(bot: Harness) -> None:
    bot.slack.add_user("U0DEPUTY")
    thread = await bot.submit_request(START, END)
    await delegate(bot, thread, Side.HOME, "U0DEPUTY")

    deputy = await opened(bot, "U0DEPUTY")
    manager = await opened(bot, HOME)

    waiting = part(deputy, HomeSection.DECISIONS)
    assert "on behalf of <@U0HOME>" in text(waiting)
    assert {b["value"] for b in buttons(waiting)} == {DecisionRef(1, Side.HOME, 1).encode()}
    assert "accessory" not in items(waiting)[0]  # not in the thread: no link to it
    assert not items(part(deputy, HomeSection.MINE))
    assert not buttons(part(manager, HomeSection.DECISIONS))


async def test_someone_outside_every_secondment_sees_nothing_of_them(bot: Harness) -> None:
    thread = await approved(bot, START, END)
    await bot.submit_request(START, END)

    home = await opened(bot, OUTSIDER)

    for section in (HomeSection.MINE, HomeSection.DECISIONS, HomeSection.DATES):
        assert not items(part(home, section)), section
    for secret in ("#1", "#2", EMPLOYEE, HOME, HOST, "Analytics engineer", thread.channel):
        assert secret not in home.blocks_text, secret
    assert list(parts(home)) == [TITLES[s] for s in HomeSection if not s.for_hr]


async def test_upcoming_dates_are_the_start_the_next_check_in_and_the_end_soonest_first(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    await approved(bot, START, END)
    await bot.submit_request(START, END)  # not approved: no dates yet

    before_start = part(await opened(bot, EMPLOYEE), HomeSection.DATES)
    hosts = part(await opened(bot, HOST), HomeSection.DATES)
    await bot.sweep(at(2, 1, 9))  # the start: it becomes active
    clock.move_to(at(2, 20, 10))
    under_way = part(await opened(bot, EMPLOYEE), HomeSection.DATES)

    assert [b["text"]["text"].split(" · ")[0] for b in items(before_start)] == [
        "*Mon 1 Feb 2027*",
        "*Mon 15 Feb 2027*",
        "*Fri 30 Jul 2027*",
    ]
    assert [b["text"]["text"].split(" · ")[1].split(":")[0] for b in items(before_start)] == [
        "*#1* starts",
        "*#1* check-in 1",
        "*#1* ends (the last day)",
    ]
    assert "#2" not in text(before_start)
    assert items(hosts) == items(before_start)
    assert [b["text"]["text"].split(" · ")[0] for b in items(under_way)] == [
        "*Mon 1 Mar 2027*",
        "*Fri 30 Jul 2027*",
    ]
    assert "check-in 2" in text(under_way)


# --- HR -------------------------------------------------------------------------------------


@pytest.mark.settings(hr_users=HR)
async def test_hr_sees_open_secondments_open_escalations_and_missed_check_ins(
    bot: Harness,
) -> None:
    bot.slack.add_user(HR)
    silent = await bot.submit_request(START, END)
    running = await approved(bot, START, END)
    withdrawn = await bot.submit_request(START, END)
    await bot.click(EMPLOYEE, Action.WITHDRAW, request_ref(withdrawn), withdrawn)
    await bot.slack.wait_for("chat.postMessage", where=lambda c: "withdrew" in c.text)
    await bot.sweep(at(1, 20, 10))  # request 1 waited 7 working days: escalated to HR
    for moment in (at(2, 1, 9), at(2, 15, 9), at(2, 16, 9), at(2, 17, 9)):
        await bot.sweep(moment)  # request 2 starts; its first check-in goes unanswered

    hr = await opened(bot, HR)
    employee = await opened(bot, EMPLOYEE)

    open_ = part(hr, HomeSection.HR_OPEN)
    assert [i["text"]["text"].split(" ")[1] for i in items(open_)] == [
        f"*#{running.secondment_id}*",
        f"*#{silent.secondment_id}*",
    ]
    assert count_line(open_) == "Showing 2 of 2."
    (escalation,) = items(part(hr, HomeSection.HR_ESCALATIONS))
    assert f"*#{silent.secondment_id}*" in escalation["text"]["text"]
    assert "No decision yet, raised by the bot" in escalation["text"]["text"]
    (missed,) = items(part(hr, HomeSection.HR_MISSED))
    assert f"*#{running.secondment_id}*" in missed["text"]["text"]
    assert "Check-in 1 went unanswered" in missed["text"]["text"]
    assert "You are HR" in hr.blocks_text
    assert not set(HR_TITLES) & set(parts(employee))
    assert "You are HR" not in employee.blocks_text


async def test_managers_see_the_secondments_they_manage_and_host_with_state_and_next_date(
    bot: Harness,
) -> None:
    waiting = await bot.submit_request(START, END)
    running = await approved(bot, START, END)
    await bot.sweep(at(2, 1, 9))  # the approved one starts

    home, host = await opened(bot, HOME), await opened(bot, HOST)

    managed = items(part(home, HomeSection.MANAGED))
    assert [i["text"]["text"].split(" ")[1] for i in managed] == [
        f"*#{running.secondment_id}*",
        f"*#{waiting.secondment_id}*",
    ]
    assert "Active. Its last day is Fri 30 Jul 2027." in managed[0]["text"]["text"]
    assert f"waiting for <@{HOME}> (home manager)" in managed[1]["text"]["text"]
    hosted = items(part(host, HomeSection.HOSTED))
    assert len(hosted) == 2 and "Its last day is Fri 30 Jul 2027." in hosted[0]["text"]["text"]
    # Each is seen from its own side only: the host manages none, the home manager hosts none.
    assert items(part(home, HomeSection.HOSTED)) == items(part(host, HomeSection.MANAGED)) == []
    assert count_line(part(home, HomeSection.HOSTED)).startswith("Nobody is seconded")
    employee = await opened(bot, EMPLOYEE)
    assert items(part(employee, HomeSection.MANAGED)) == []


@pytest.mark.settings(hr_users=HR)
async def test_hr_sees_the_completed_secondments_with_their_outcomes(bot: Harness) -> None:
    bot.slack.add_user(HR)
    outcomes = [EndOutcome.RETURNED, EndOutcome.PERMANENT, EndOutcome.ENDED_EARLY]
    ids = await seed(bot.sessions, [Spec(EMPLOYEE, Status.COMPLETED, outcome=o) for o in outcomes])
    await seed(bot.sessions, [Spec(EMPLOYEE, Status.ACTIVE)])
    async with bot.sessions.begin() as session:
        for _ in range(2):  # the permanent move came after two extensions
            record_event(
                session,
                secondment_id=ids[1],
                actor_id=HOME,
                action=EventType.EXTENSION_AGREED,
                terms_version=2,
                at=at(3, 1, 9),
            )

    completed = items(part(await opened(bot, HR), HomeSection.HR_COMPLETED))

    assert [i["text"]["text"] for i in completed] == [
        f"🏁 *#{n}* <@{EMPLOYEE}> → *Analytics engineer* in *Data Platform*, Mon 1 Feb 2027 "
        f"to Fri 30 Jul 2027\n{line}"
        for n, line in zip(
            reversed(ids),
            [
                "Ended early. Its last day was Fri 30 Jul 2027.",
                "Moved permanently, after 2 extensions. Its last day was Fri 30 Jul 2027.",
                "Returned to the home role. Its last day was Fri 30 Jul 2027.",
            ],
            strict=True,
        )
    ]
    assert count_line(part(await opened(bot, HR), HomeSection.HR_OPEN)) == "Showing 1 of 1."


@pytest.mark.settings(hr_users=HR)
async def test_show_more_is_checked_again_and_a_non_hr_person_never_gets_hr_sections(
    bot: Harness,
) -> None:
    bot.slack.add_user(HR)
    await seed(bot.sessions, [Spec("U0SOMEONE", Status.PENDING) for _ in range(12)])
    await opened(bot, OUTSIDER)

    forged = await clicked(bot, OUTSIDER, Action.HOME_SHOW_MORE, "hr_open:40")

    assert not set(HR_TITLES) & set(parts(forged))
    assert "#1" not in forged.blocks_text
    hr = await opened(bot, HR)
    assert count_line(part(hr, HomeSection.HR_OPEN)) == "Showing 5 of 12."


# --- "Show more" and size -------------------------------------------------------------------


async def test_show_more_raises_one_section_and_keeps_the_others(bot: Harness) -> None:
    await seed(bot.sessions, [Spec(EMPLOYEE, Status.PENDING) for _ in range(12)])
    first = await opened(bot, EMPLOYEE)
    mine = part(first, HomeSection.MINE)
    assert count_line(mine) == "Showing 5 of 12."
    assert [i["text"]["text"].split(" ")[1] for i in items(mine)] == [
        f"*#{n}*" for n in (12, 11, 10, 9, 8)
    ]
    value = show_more_value(mine)
    assert value == "mine:15"

    more = await clicked(bot, EMPLOYEE, Action.HOME_SHOW_MORE, value)

    mine = part(more, HomeSection.MINE)
    assert count_line(mine) == "Showing 12 of 12."
    assert len(items(mine)) == 12 and show_more_value(mine) is None
    limits = decode_limits(more.body["view"]["private_metadata"])
    assert limits == {**DEFAULT_LIMITS, HomeSection.MINE: 15}


@pytest.mark.settings(hr_users=HR)
async def test_a_thousand_secondments_fit_slacks_limits_with_the_right_counts(
    bot: Harness, engine: AsyncEngine
) -> None:
    bot.slack.add_user(HR)
    statuses = [
        Status.PENDING,
        Status.BLOCKED,
        Status.ACTIVE,  # (at an even place, so that half its check-ins are missed)
        Status.APPROVED,
        Status.WITHDRAWN,
        Status.COMPLETED,
    ]
    specs = [
        Spec(
            EMPLOYEE if n % 10 == 0 else f"U0E{n:04d}",
            status := statuses[n % len(statuses)],
            home_state=SideState.BLOCKED if status is Status.BLOCKED else SideState.PENDING,
            escalated=n % 3 == 0 and status in (Status.PENDING, Status.BLOCKED),
            resolved=n % 7 == 0,
            missed=n % 2 == 0,
            outcome=EndOutcome.RETURNED if status is Status.COMPLETED else None,
        )
        for n in range(1000)
    ]
    await seed(bot.sessions, specs)
    # Who sees each section, and how many items it has for them. HOME manages all thousand and
    # HOST hosts them; each approved or active one has a start, a first check-in and an end
    # still to come.
    expected = {
        HomeSection.MINE: (EMPLOYEE, sum(s.employee == EMPLOYEE for s in specs)),
        HomeSection.DECISIONS: (HOME, sum(len(s.decides(HOME)) for s in specs)),
        HomeSection.DATES: (
            HOME,
            3 * sum(s.status in (Status.APPROVED, Status.ACTIVE) for s in specs),
        ),
        HomeSection.MANAGED: (HOME, len(specs)),
        HomeSection.HOSTED: (HOST, len(specs)),
        HomeSection.HR_OPEN: (
            HR,
            sum(s.status not in (Status.WITHDRAWN, Status.COMPLETED) for s in specs),
        ),
        HomeSection.HR_COMPLETED: (HR, sum(s.status is Status.COMPLETED for s in specs)),
        HomeSection.HR_ESCALATIONS: (HR, sum(s.escalated for s in specs)),
        HomeSection.HR_MISSED: (HR, sum(s.missed and s.status.is_underway for s in specs)),
    }

    with counting(engine) as queries:
        await opened(bot, HR)
    homes = {user: await opened(bot, user) for user in (EMPLOYEE, HOME, HOST, HR)}

    # One statement a section (one for those managed and hosted, one for HR's open and
    # completed), one for the viewer's time away, and SQLite's BEGIN: at most 9 for HR's nine
    # sections; and the event's id recorded (bot/services/events_seen.py), in a transaction of
    # its own: 2 more.
    assert len(queries) <= 11, queries
    for section, (viewer, total) in expected.items():
        home = homes[viewer]
        assert len(home.body["view"]["blocks"]) <= 100
        assert count_line(part(home, section)) == f"Showing 5 of {total:,}.", section
        while (value := show_more_value(part(home, section))) is not None:
            home = await clicked(bot, viewer, Action.HOME_SHOW_MORE, value)
            assert len(home.body["view"]["blocks"]) <= 100
        shown = part(home, section)
        assert len(items(shown)) == most(section) < total
        assert count_line(shown) == (
            f"Showing the first {most(section)} of {total:,}. "
            "`/secondment status <number>` shows any one of them."
        )
    assert not bot.slack.invalid


# --- Slack's side ---------------------------------------------------------------------------


async def test_a_rate_limited_publish_is_retried_after_the_wait_slack_asks(bot: Harness) -> None:
    bot.slack.fail_next("views.publish", "ratelimited", status=429, retry_after=2)

    await bot.open_home(EMPLOYEE)

    refused, published = await bot.slack.wait_for("views.publish", 2)
    assert (refused.error, published.error) == ("ratelimited", None)
    assert bot.sleeps and 2 <= bot.sleeps[0] < 3


async def test_a_publish_slack_refuses_is_logged_and_tried_again_at_the_next_opening(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    bot.slack.fail_next("views.publish", "not_enabled")

    await bot.open_home(EMPLOYEE)
    (refused,) = await bot.slack.wait_for("views.publish")
    again = await opened(bot, EMPLOYEE)

    assert refused.error == "not_enabled" and again.error is None
    assert "home of U0EMPLOYEE not published: not_enabled" in caplog.messages
    assert not bot.slack.sent("chat.postMessage", channel=EMPLOYEE)


async def test_opening_the_messages_tab_publishes_no_home(bot: Harness) -> None:
    response = await bot.open_home(EMPLOYEE, tab="messages")
    assert response.status == 200

    await opened(bot, EMPLOYEE)

    assert len(bot.slack.sent("views.publish")) == 1
