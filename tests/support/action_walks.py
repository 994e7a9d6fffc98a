"""Every action a person can take (every form, every button that changes something, the HR
commands), each with where it can be taken from: a setup that brings a fresh workspace to that
point, and the act itself, as the person would take it. tests/slack/test_actor_feedback.py
checks that each actor is told their action was recorded, and keeps what each action shows and
says in one plain-text file (tests/snapshots/actions.txt)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import time_machine
from sqlalchemy import select

from bot.domain.kinds import CheckInAnswer
from bot.domain.states import Side
from bot.models import Absence
from bot.slack.ids import Action, Callback
from bot.slack.refs import CheckInRef
from tests.support import forms, wire
from tests.support.flows import approve, approved, blocked, click_then_submit, delegate, ref
from tests.support.flows import request_ref as request
from tests.support.harness import EMPLOYEE, HOME, HOST, Harness, Thread

START, END = date(2027, 2, 1), date(2027, 7, 30)
HR = "U0HRPERSON"
# HR's rules the walks run under: a 24-month limit, so that an exception can be asked.
RULES = {"policy_max_term_months": 24}
DEPUTY = "U0DEPUTY"
PARTIES = (EMPLOYEE, HOME, HOST)


def at(month: int, day: int, hour: int) -> datetime:
    """A moment in 2027, in UTC, for the walks' clock and sweeps."""
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
    """A fresh workspace, with no request yet."""
    return None


async def requested(bot: Harness, clock: time_machine.Traveller) -> Thread:
    """A request submitted, awaiting both decisions."""
    return await bot.submit_request(START, END)


async def outside_the_rules(bot: Harness, clock: time_machine.Traveller) -> Thread:
    """Thirty months, under a 24-month rule (`RULES`), with an exception asked of HR; both
    managers have approved."""
    bot.slack.add_user(HR)
    thread = await bot.submit_request(
        START,
        date(2029, 7, 31),
        exception_reason=forms.text("The programme runs thirty months and needs one person."),
    )
    await approve(bot, HOME, thread, Side.HOME)
    await approve(bot, HOST, thread, Side.HOST)
    await bot.handled()
    return thread


async def after_a_block(bot: Harness, clock: time_machine.Traveller) -> Thread:
    """A request the home manager blocked."""
    return await blocked(bot, START, END)


async def delegated(bot: Harness, clock: time_machine.Traveller) -> Thread:
    """A request whose home side is delegated to the deputy."""
    thread = await bot.submit_request(START, END)
    await delegate(bot, thread, Side.HOME, DEPUTY)
    return thread


async def agreed(bot: Harness, clock: time_machine.Traveller) -> Thread:
    """A request both managers approved, before its start."""
    return await approved(bot, START, END)


def under_way_until(month: int, day: int, hour: int) -> Setup:
    """Started, with the sweep run up to that hour (in UTC), and the clock at 10:00 that day."""

    async def setup(bot: Harness, clock: time_machine.Traveller) -> Thread:
        """Approve, start, and sweep up to the chosen hour."""
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
    """An action through a form: `actor` clicks `action`, then submits the modal with `values`."""

    async def act(bot: Harness, thread: Thread | None) -> Thread:
        """Click, then submit the modal that opens; the form must be accepted."""
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
    """An action through a button alone: `actor` clicks `action`."""

    async def act(bot: Harness, thread: Thread | None) -> Thread:
        """Click the button; Slack must be answered with 200."""
        assert thread is not None
        response, _ = await bot.click(actor, action, value(thread), thread)  # type: ignore[arg-type]
        assert response.status == 200
        return thread

    return act


def command(actor: str, text: str) -> Act:
    """An action through the slash command: `actor` types `/secondment <text>`."""

    async def act(bot: Harness, thread: Thread | None) -> Thread:
        """Type the command; Slack must be answered with 200."""
        assert thread is not None
        response, _ = await bot.command(actor, text)
        assert response.status == 200
        return thread

    return act


async def submit_request(bot: Harness, thread: Thread | None) -> Thread:
    """The employee submits a request."""
    return await bot.submit_request(START, END)


async def answer_check_in(bot: Harness, thread: Thread | None) -> Thread:
    """The employee answers check-in 1 as on track, with no note."""
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
        """The person's id, as the button carries it."""
        return self.user_id


async def go_away(bot: Harness, thread: Thread | None) -> Thread:
    """The home manager enters time away from today, naming the deputy (`/secondment away`)."""
    assert thread is not None
    response, _ = await bot.command(HOME, "away")
    assert response.status == 200
    values = forms.away_values(date(2027, 1, 4), date(2027, 1, 8), DEPUTY)
    answer = await bot.submit(HOME, Callback.AWAY, values)
    assert json.loads(await answer.text())["response_action"] == "update"
    return thread


async def away(bot: Harness, clock: time_machine.Traveller) -> Thread:
    """Requested, with the home manager away from today and the deputy deciding for them."""
    return await go_away(bot, await requested(bot, clock))


async def cancel_time_away(bot: Harness, thread: Thread | None) -> Thread:
    """The home manager cancels their time away from the form that lists it."""
    assert thread is not None
    async with bot.sessions() as session:
        absence_id = await session.scalar(select(Absence.id))
    modal = {"type": "modal", "id": "V0AWAY", "hash": "1.away", "callback_id": Callback.AWAY}
    body = wire.view_block_action(HOME, Action.AWAY_CANCEL, str(absence_id), view=modal)
    assert (await bot.post(body)).status == 200
    return thread


def home_side(thread: Thread) -> object:
    """The home side's decision reference in the thread, for its buttons."""
    return ref(thread, Side.HOME)


def host_side(thread: Thread) -> object:
    """The host side's decision reference in the thread, for its buttons."""
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
        Callback.EXCEPTION_REFUSE,
        HR,
        outside_the_rules,
        form(
            HR,
            Action.EXCEPTION_REFUSE,
            Callback.EXCEPTION_REFUSE,
            forms.text_values("Thirty months is a transfer: advertise the role instead."),
        ),
    ),
    Walk(Action.EXCEPTION_GRANT, HR, outside_the_rules, button(HR, Action.EXCEPTION_GRANT)),
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
    Walk(Callback.AWAY, HOME, requested, go_away),
    Walk(Action.AWAY_CANCEL, HOME, away, cancel_time_away),
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
    Action.EXCEPTION_GRANT,
    Action.AWAY_CANCEL,
    "checkins",
}
