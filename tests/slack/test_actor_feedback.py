"""Everyone who acts is told it was recorded: each action a person can take (every form, every
button that changes something, the HR commands) is walked here, and the person who took it must
see a confirmation: a direct message, a private reply, or a reply in an approval thread they are
one of the three in. HR and delegates, who are not in the thread, get their own copy."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from bot.domain.followups import CheckInAnswer
from bot.domain.states import Side
from bot.models import AuditEvent
from bot.slack.ids import Action, Callback
from bot.slack.refs import CheckInRef
from tests.support import forms
from tests.support.flows import approved, blocked, click_then_submit, delegate, ref
from tests.support.flows import request_ref as request
from tests.support.harness import EMPLOYEE, HOME, HOST, Harness, Thread
from tests.support.standin import Call

START, END = date(2027, 2, 1), date(2027, 7, 30)
HR = "U0HRPERSON"
DEPUTY = "U0DEPUTY"
PARTIES = (EMPLOYEE, HOME, HOST)


def at(month: int, day: int, hour: int) -> datetime:
    return datetime(2027, month, day, hour, tzinfo=UTC)


Setup = Callable[[Harness, time_machine.Traveller], Awaitable[Thread | None]]
Act = Callable[[Harness, Thread | None], Awaitable[Thread]]


@dataclass(frozen=True)
class Walk:
    """One action: the form or button it comes through, who takes it, from where."""

    via: Action | Callback | str
    actor: str
    setup: Setup
    act: Act


# --- where each action can be taken ---------------------------------------------------------


async def nothing(bot: Harness, clock: time_machine.Traveller) -> None:
    return None


async def requested(bot: Harness, clock: time_machine.Traveller) -> Thread:
    return await bot.submit_request(START, END)


async def after_a_block(bot: Harness, clock: time_machine.Traveller) -> Thread:
    return await blocked(bot, START, END)


async def delegated(bot: Harness, clock: time_machine.Traveller) -> Thread:
    thread = await bot.submit_request(START, END)
    await delegate(bot, thread, Side.HOME, DEPUTY)
    return thread


async def agreed(bot: Harness, clock: time_machine.Traveller) -> Thread:
    return await approved(bot, START, END)


def under_way_until(month: int, day: int, hour: int) -> Setup:
    """Started, with the sweep run up to that hour (in UTC), and the clock at 10:00 that day."""

    async def setup(bot: Harness, clock: time_machine.Traveller) -> Thread:
        thread = await approved(bot, START, END)
        await bot.sweep(at(2, 1, 9))
        await bot.sweep(at(month, day, hour))
        clock.move_to(at(month, day, 10))
        return thread

    return setup


asked_to_check_in = under_way_until(2, 15, 9)  # check-in 1 asked
near_the_end = under_way_until(6, 30, 8)  # the first end-of-term ask sent
at_the_end = under_way_until(7, 30, 8)  # the debrief asked for


# --- the actions -------------------------------------------------------------------------------


def form(
    actor: str,
    action: Action,
    callback: Callback,
    values: forms.Values,
    value: Callable[[Thread], object] = request,
) -> Act:
    async def act(bot: Harness, thread: Thread | None) -> Thread:
        assert thread is not None
        answer = await click_then_submit(
            bot,
            actor,
            action,
            value(thread),  # type: ignore[arg-type]
            thread,
            callback,
            values,
        )
        assert answer == "", answer
        return thread

    return act


def button(actor: str, action: Action, value: Callable[[Thread], object] = request) -> Act:
    async def act(bot: Harness, thread: Thread | None) -> Thread:
        assert thread is not None
        response, _ = await bot.click(actor, action, value(thread), thread)  # type: ignore[arg-type]
        assert response.status == 200
        return thread

    return act


def command(actor: str, text: str) -> Act:
    async def act(bot: Harness, thread: Thread | None) -> Thread:
        assert thread is not None
        response, _ = await bot.command(actor, text)
        assert response.status == 200
        return thread

    return act


async def submit_request(bot: Harness, thread: Thread | None) -> Thread:
    return await bot.submit_request(START, END)


async def answer_check_in(bot: Harness, thread: Thread | None) -> Thread:
    assert thread is not None
    value = CheckInRef(thread.secondment_id, 1, CheckInAnswer.ON_TRACK)
    return await form(
        EMPLOYEE,
        Action.CHECK_IN_ON_TRACK,
        Callback.CHECK_IN,
        {"check_in_note": {"check_in_note": forms.text(None)}},
        lambda t: value,
    )(bot, thread)


class _Person:
    """The value of the erase confirmation's button: a person's id."""

    def __init__(self, user_id: str) -> None:
        self.user_id = user_id

    def encode(self) -> str:
        return self.user_id


def home_side(thread: Thread) -> object:
    return ref(thread, Side.HOME)


def host_side(thread: Thread) -> object:
    return ref(thread, Side.HOST)


WALKS = [
    Walk(Callback.REQUEST, EMPLOYEE, nothing, submit_request),
    Walk(Action.APPROVE, HOME, requested, button(HOME, Action.APPROVE, home_side)),
    Walk(
        Callback.BLOCK,
        HOME,
        requested,
        form(HOME, Action.BLOCK, Callback.BLOCK, forms.block_values(), home_side),
    ),
    Walk(
        Callback.CONDITIONS,
        HOST,
        requested,
        form(
            HOST,
            Action.CONDITIONS,
            Callback.CONDITIONS,
            forms.conditions_values(handover="4"),
            host_side,
        ),
    ),
    Walk(
        Callback.DELEGATE,
        HOME,
        requested,
        form(HOME, Action.DELEGATE, Callback.DELEGATE, forms.delegate_values(DEPUTY), home_side),
    ),
    Walk("approve as a delegate", DEPUTY, delegated, button(DEPUTY, Action.APPROVE, home_side)),
    Walk(Action.RECONSIDER, HOME, after_a_block, button(HOME, Action.RECONSIDER, home_side)),
    Walk(
        Callback.RESPOND,
        HOST,
        after_a_block,
        form(HOST, Action.RESPOND, Callback.RESPOND, forms.text_values("We can fund cover.")),
    ),
    Walk(
        Callback.ASK_HR,
        EMPLOYEE,
        after_a_block,
        form(EMPLOYEE, Action.ASK_HR, Callback.ASK_HR, forms.text_values("Please review.")),
    ),
    Walk(
        Callback.HR_NOTE,
        HR,
        after_a_block,
        form(HR, Action.HR_NOTE, Callback.HR_NOTE, forms.text_values("We will meet Thursday.")),
    ),
    Walk(
        Callback.HR_OVERRIDE,
        HR,
        after_a_block,
        form(
            HR,
            Action.HR_OVERRIDE,
            Callback.HR_OVERRIDE,
            forms.text_values("Policy guarantees release after four weeks."),
            home_side,
        ),
    ),
    Walk(
        Callback.CHANGE,
        EMPLOYEE,
        requested,
        form(
            EMPLOYEE,
            Action.PROPOSE_CHANGE,
            Callback.CHANGE,
            forms.change_values(start=START, end=date(2027, 8, 27), note="A month more."),
        ),
    ),
    Walk(Action.WITHDRAW, EMPLOYEE, requested, button(EMPLOYEE, Action.WITHDRAW)),
    Walk(
        Callback.OBJECTIVES,
        EMPLOYEE,
        agreed,
        form(
            EMPLOYEE,
            Action.RECORD_OBJECTIVES,
            Callback.OBJECTIVES,
            forms.objectives_values("Ship the dashboard."),
        ),
    ),
    Walk(Callback.CHECK_IN, EMPLOYEE, asked_to_check_in, answer_check_in),
    Walk(
        Action.CHECK_IN_SNOOZE,
        EMPLOYEE,
        asked_to_check_in,
        button(EMPLOYEE, Action.CHECK_IN_SNOOZE, lambda t: CheckInRef(t.secondment_id, 1)),
    ),
    Walk(Action.CONFIRM_RETURN, HOST, near_the_end, button(HOST, Action.CONFIRM_RETURN)),
    Walk(
        Callback.PROPOSE_EXTENSION,
        EMPLOYEE,
        near_the_end,
        form(
            EMPLOYEE,
            Action.PROPOSE_EXTENSION,
            Callback.PROPOSE_EXTENSION,
            forms.proposal_values(date(2027, 10, 29), "The launch moved."),
        ),
    ),
    Walk(
        Callback.PROPOSE_PERMANENT,
        HOST,
        near_the_end,
        form(
            HOST,
            Action.PROPOSE_PERMANENT,
            Callback.PROPOSE_PERMANENT,
            forms.proposal_values(None, "Analyst II, same band."),
        ),
    ),
    Walk(
        Callback.END_EARLY,
        HOME,
        near_the_end,
        form(
            HOME,
            Action.END_EARLY,
            Callback.END_EARLY,
            forms.early_end_values("Needed back for the close.", "2"),
        ),
    ),
    Walk(
        Callback.DEBRIEF,
        EMPLOYEE,
        at_the_end,
        form(EMPLOYEE, Action.RECORD_DEBRIEF, Callback.DEBRIEF, forms.debrief_values()),
    ),
    Walk("checkins", HR, agreed, command(HR, "checkins 1 4")),
    Walk(
        Action.ERASE_PERSON, HR, agreed, button(HR, Action.ERASE_PERSON, lambda t: _Person(DEPUTY))
    ),
]

# Every form, and every button and command that changes something: a new one must be walked.
CHANGING = {
    *Callback,
    Action.APPROVE,
    Action.RECONSIDER,
    Action.WITHDRAW,
    Action.CHECK_IN_SNOOZE,
    Action.CONFIRM_RETURN,
    Action.ERASE_PERSON,
    "checkins",
}


def test_every_action_that_changes_something_is_walked() -> None:
    assert {w.via for w in WALKS} - {"approve as a delegate"} == CHANGING


def confirmations(bot: Harness, actor: str, since: int, thread: Thread) -> list[Call]:
    """What reached `actor` after call `since`: a DM, a private reply (to a click or command,
    made by the actor), or a reply in the approval thread if they are one of its three."""
    seen = []
    for call in bot.slack.calls[since:]:
        if call.error is not None:
            continue
        channel = call.body.get("channel")
        replied = call.method == "response_url" and bool(call.body.get("text"))
        posted = call.method == "chat.postMessage"
        in_their_thread = posted and channel == thread.channel and actor in PARTIES
        if replied or (posted and channel == actor) or in_their_thread:
            seen.append(call)
    return seen


@pytest.mark.settings(hr_users=HR, hr_can_override=True)
@pytest.mark.parametrize("walk", WALKS, ids=[str(w.via) for w in WALKS])
async def test_whoever_acts_is_told_it_was_recorded(
    bot: Harness, clock: time_machine.Traveller, walk: Walk
) -> None:
    for person in (HR, DEPUTY):
        bot.slack.add_user(person)
    thread = await walk.setup(bot, clock)
    await bot.handled()
    since, recorded = len(bot.slack.calls), await audited(bot)

    acted_on = await walk.act(bot, thread)
    await bot.handled()

    # It took effect (so a refusal cannot pass for a confirmation), and the actor saw so.
    assert await audited(bot) > recorded
    seen = confirmations(bot, walk.actor, since, acted_on)
    assert seen, [(c.method, c.body.get("channel"), c.text) for c in bot.slack.calls[since:]]


async def audited(bot: Harness) -> int:
    async with bot.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEvent)) or 0)
