"""A form is always answered within Slack's three seconds: when Slack is too slow to look the
named people up, the form is taken and they are checked after the answer, before anyone is told;
a failure before the answer replaces the modal with what happened, instead of Slack's own error
after three seconds of silence, and nothing is stored."""

from __future__ import annotations

import asyncio
import json
from datetime import date

import pytest
from aiohttp import ClientResponse
from sqlalchemy import func, select

from bot.domain.kinds import NudgeKind
from bot.domain.states import Side
from bot.models import Nudge, Secondment
from bot.slack import directory
from bot.slack.failures import MAX_ATTEMPTS
from bot.slack.hr import MEMBERS_FALLBACK_SECONDS
from bot.slack.ids import Action, Callback
from bot.slack.listeners.context import HR_SLOW
from tests.support import forms
from tests.support.flows import blocked, ref, request_ref
from tests.support.harness import EMPLOYEE, HOME, HOST, Harness, Thread
from tests.support.rows import rows

HR = "U0HRPERSON"
HR_CHANNEL = "C0HRDESK"
DELEGATE = "U0DELEGATE"

START, END = date(2027, 2, 1), date(2027, 7, 30)


async def stored(bot: Harness) -> int:
    async with bot.sessions() as session:
        return (await session.execute(select(func.count()).select_from(Secondment))).scalar_one()


async def test_a_slow_slack_gets_the_form_taken_and_the_managers_checked_after(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No wait at all for users.info, so Slack is always too slow (and no test waits on time).
    monkeypatch.setattr(directory, "LOOKUP_SECONDS", 0)
    release = bot.slack.hold_next("users.info")
    bot.slack.add_user(HOST, tz="America/Los_Angeles")
    values = forms.request_values(home=HOME, host=HOST, start=START, end=END)

    response = await bot.submit(EMPLOYEE, Callback.REQUEST, values)

    assert (response.status, await response.text()) == (200, "")  # taken: the modal closes
    assert await stored(bot) == 1
    release.set()
    await bot.handled()
    # Checked after the answer, then shared: the thread opens and the employee is told.
    looked_up = {c.body["user"] for c in bot.slack.sent("users.info")}
    assert {HOME, HOST} <= looked_up
    assert len(bot.slack.sent("conversations.open")) == 1
    (confirmation,) = bot.slack.sent("chat.postMessage", channel=EMPLOYEE)
    assert "is in writing" in confirmation.text
    # The host manager's first reminder is planned at nine where they are, now that it is known.
    async with bot.sessions() as session:
        first = await session.scalar(
            select(Nudge.due_at)
            .where(
                Nudge.recipient_id == HOST,
                Nudge.kind == NudgeKind.DECISION_REMINDER,
                Nudge.cancelled_at.is_(None),
            )
            .order_by(Nudge.due_at)
        )
    assert first is not None and first.hour == 17  # 09:00 in Los Angeles in winter


async def test_a_manager_found_unable_to_decide_after_the_answer_is_never_told(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(directory, "LOOKUP_SECONDS", 0)
    release = bot.slack.hold_next("users.info")
    bot.slack.add_user(HOST, deleted=True)
    values = forms.request_values(home=HOME, host=HOST, start=START, end=END)

    response = await bot.submit(EMPLOYEE, Callback.REQUEST, values)
    release.set()
    await bot.handled()

    assert (response.status, await response.text()) == (200, "")
    (told,) = bot.slack.sent("chat.postMessage", channel=EMPLOYEE)
    assert "I have not shared it" in told.text and f"<@{HOST}>" in told.text
    assert "host manager's own account" in told.text
    assert Action.WITHDRAW in told.blocks_text  # the way forward: withdraw it, submit again
    # Nothing reached either manager: no thread, no message.
    assert bot.slack.sent("conversations.open") == []
    assert [c for c in bot.slack.sent("chat.postMessage") if c.body["channel"] != EMPLOYEE] == []

    # The button does what it says, from the DM.
    (posted,) = bot.slack.posted(EMPLOYEE)
    dm = Thread(1, "D" + EMPLOYEE[1:], posted["ts"])
    await bot.click(EMPLOYEE, Action.WITHDRAW, request_ref(dm), dm)
    await bot.handled()
    assert (await bot.secondment(1)).status == "withdrawn"


async def test_an_unexpected_failure_before_the_answer_replaces_the_modal(bot: Harness) -> None:
    bot.expect_errors = True  # logged with its traceback, checked below
    bot.slack.fail_next("users.info", "fatal_error")
    values = forms.request_values(home=HOME, host=HOST, start=START, end=END)

    response = await bot.submit(EMPLOYEE, Callback.REQUEST, values)

    assert response.status == 200
    answer = json.loads(await response.text())
    assert answer["response_action"] == "update"
    assert answer["view"]["title"]["text"] == "Nothing changed"
    assert "nothing was changed" in json.dumps(answer["view"]["blocks"])
    assert await stored(bot) == 0
    assert [r.getMessage() for r in bot.errors.records] == ["listener failed"]


async def _override(bot: Harness, thread: Thread) -> ClientResponse:
    """HR overrides the home manager's block."""
    return await bot.submit(
        HR,
        Callback.HR_OVERRIDE,
        forms.text_values("Policy guarantees release after a four-week notice period."),
        private_metadata=ref(thread, Side.HOME).encode(),
    )


@pytest.mark.settings(hr_channel=HR_CHANNEL, hr_can_override=True)
async def test_a_slow_slack_does_not_hold_an_hr_override_past_the_answer(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    thread = await blocked(bot, START, END)
    monkeypatch.setattr(directory, "LOOKUP_SECONDS", 0)
    release = bot.slack.hold_next("conversations.members")  # is HR a member of the HR channel?

    response = await _override(bot, thread)
    release.set()

    answer = json.loads(await response.text())
    assert answer == {"response_action": "errors", "errors": {"text": HR_SLOW}}
    assert (await bot.secondment(thread.secondment_id)).status == "blocked"


async def _hr_read_then_slack_slow(
    bot: Harness, monkeypatch: pytest.MonkeyPatch, age: float
) -> tuple[Thread, asyncio.Event]:
    """A blocked request; the HR channel's members read `age` seconds ago; Slack now too slow
    to read them again before the answer. Returns the event that lets the new read finish."""
    bot.slack.add_channel(HR_CHANNEL, [HR])
    thread = await blocked(bot, START, END)
    now = [1000.0]
    bot.deps.hr.monotonic = lambda: now[0]
    assert await bot.deps.hr.is_hr(bot.client, bot.team_id, HR)  # the members read
    now[0] += age
    monkeypatch.setattr(directory, "LOOKUP_SECONDS", 0)
    return thread, bot.slack.hold_next("conversations.members")


@pytest.mark.settings(hr_channel=HR_CHANNEL, hr_can_override=True)
async def test_a_slow_slack_leaves_hr_s_override_to_a_recent_read_of_the_hr_channel(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Read ten minutes ago: past the five minutes a read is trusted, within the half hour it
    # may stand in. The override is taken, and the new read finishes for the next form.
    thread, release = await _hr_read_then_slack_slow(bot, monkeypatch, age=600)

    response = await _override(bot, thread)

    assert response.status == 200
    assert await response.text() == ""
    release.set()
    await bot.handled()
    assert (await bot.secondment(thread.secondment_id)).status != "blocked"
    await bot.slack.wait_for("conversations.members", 2)  # the new read, answered
    bot.slack.add_channel(HR_CHANNEL, [])
    assert bot.deps.hr.was_hr(bot.team_id, HR) is True  # ... and kept, as fresh


@pytest.mark.settings(hr_channel=HR_CHANNEL, hr_can_override=True)
async def test_a_slow_slack_asks_again_when_the_last_read_is_too_old_to_trust(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    thread, release = await _hr_read_then_slack_slow(bot, monkeypatch, age=MEMBERS_FALLBACK_SECONDS)

    response = await _override(bot, thread)
    release.set()

    answer = json.loads(await response.text())
    assert answer == {"response_action": "errors", "errors": {"text": HR_SLOW}}
    assert (await bot.secondment(thread.secondment_id)).status == "blocked"


async def delegated_while_slack_is_slow(
    bot: Harness, monkeypatch: pytest.MonkeyPatch, delegate: str, thread: Thread | None = None
) -> tuple[Thread, str]:
    """The home manager hands their side of `thread` (a new request's, by default) to
    `delegate` while Slack is too slow to describe them; returns the thread and the form's
    answer, once the bot has done what follows."""
    thread = thread or await bot.submit_request(START, END)
    monkeypatch.setattr(directory, "LOOKUP_SECONDS", 0)
    bot.deps.directory.ttl_seconds = 0  # nobody is remembered: Slack is asked, and is slow
    release = bot.slack.hold_next("users.info")
    response = await bot.submit(
        HOME,
        Callback.DELEGATE,
        forms.delegate_values(delegate),
        private_metadata=ref(thread, Side.HOME).encode(),
    )
    answer = await response.text()
    assert response.status == 200
    if answer == "":  # taken: the check after the answer asks Slack, which is slow
        await bot.slack.wait_until(lambda: bool(bot.slack.held))
    release.set()
    await bot.handled()
    return thread, answer


async def test_a_slow_slack_gets_a_delegation_taken_and_made_once_the_delegate_is_checked(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot.slack.add_user(DELEGATE)

    thread, answer = await delegated_while_slack_is_slow(bot, monkeypatch, DELEGATE)

    assert answer == ""  # taken: the modal closes
    assert (await bot.secondment(thread.secondment_id)).home_delegate_id == DELEGATE
    assert len(bot.slack.sent("users.info", user=DELEGATE)) == 1  # checked once, after
    (notice,) = bot.slack.sent("chat.postMessage", channel=DELEGATE)
    assert "asked you to decide the *home manager* side" in notice.text
    replies = bot.slack.sent("chat.postMessage", channel=thread.channel, thread_ts=thread.ts)
    assert [r.text for r in replies if "handed the" in r.text] != []
    actions = [e.action for e in await bot.audit(thread.secondment_id)]
    assert actions[-2:] == ["home_delegate_checking", "home_delegated"]


async def test_a_delegate_found_unable_to_decide_after_the_answer_is_never_told(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot.slack.add_user(DELEGATE, deleted=True)

    thread, answer = await delegated_while_slack_is_slow(bot, monkeypatch, DELEGATE)

    assert answer == ""
    assert (await bot.secondment(thread.secondment_id)).home_delegate_id is None
    # Only the manager hears of it: why, and a button to choose someone else.
    (told,) = [
        c
        for c in bot.slack.sent("chat.postMessage")
        if c.body["channel"] not in (thread.channel, EMPLOYEE)  # the request's own
    ]
    assert told.body["channel"] == HOME
    assert f"decision of secondment request #1 to <@{DELEGATE}>: " in told.text
    assert "can't decide: it is a bot or has been deactivated" in told.text
    assert Action.DELEGATE in told.blocks_text
    assert bot.slack.sent("chat.postMessage", thread_ts=thread.ts) == []  # nothing in the thread
    actions = [e.action for e in await bot.audit(thread.secondment_id)]
    assert actions[-2:] == ["home_delegate_checking", "home_delegation_refused"]

    # The button does what it says, from the DM: the form to choose someone else.
    (posted,) = bot.slack.posted(HOME)
    dm = Thread(1, "D" + HOME[1:], posted["ts"])
    await bot.click(HOME, Action.DELEGATE, ref(thread, Side.HOME), dm)
    opened = await bot.opened_modal(Callback.DELEGATE)
    assert opened.body["view"]["private_metadata"] == ref(thread, Side.HOME).encode()


async def test_what_needs_no_slack_is_still_checked_before_the_answer(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The employee cannot be chosen, whatever Slack says: the form says so at once."""

    async def not_this_way(*args: object, **kwargs: object) -> None:
        raise AssertionError("Slack was slow: the form must not wait for it")

    monkeypatch.setattr("bot.services.delegation.delegate", not_this_way)
    thread, answer = await delegated_while_slack_is_slow(bot, monkeypatch, EMPLOYEE)

    assert json.loads(answer) == {
        "response_action": "errors",
        "errors": {"delegate": "The employee can't decide their own request."},
    }
    assert (await bot.secondment(thread.secondment_id)).home_delegate_id is None
    assert [e.action for e in await bot.audit(thread.secondment_id)][-1] != (
        "home_delegate_checking"
    )


async def test_a_delegate_slack_never_describes_is_given_up_and_the_manager_told(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot.slack.add_user(DELEGATE)
    thread = await bot.submit_request(START, END)
    for _ in range(MAX_ATTEMPTS):
        bot.slack.fail_next("users.info", "unknown_method_error")

    await delegated_while_slack_is_slow(bot, monkeypatch, DELEGATE, thread)
    for _ in range(MAX_ATTEMPTS - 1):
        (check,) = await rows(bot.sessions, Nudge, Nudge.kind == NudgeKind.DELEGATE_CHECK)
        await bot.sweep(check.due_at)

    (check,) = await rows(bot.sessions, Nudge, Nudge.kind == NudgeKind.DELEGATE_CHECK)
    assert (check.attempts, check.cancelled_at is not None) == (MAX_ATTEMPTS, True)
    assert (await bot.secondment(thread.secondment_id)).home_delegate_id is None
    (told,) = bot.slack.sent("chat.postMessage", channel=HOME)
    assert "I could not learn from Slack who they are" in told.text
    assert "unknown_method_error" in told.text and Action.DELEGATE in told.blocks_text
    assert bot.slack.sent("chat.postMessage", channel=DELEGATE) == []


async def test_a_later_choice_replaces_a_delegation_still_waiting_for_its_check(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Slack rate-limits the check; meanwhile, with Slack quick again, the manager chooses
    someone else. The first choice is dropped: the later one stands."""
    bot.slack.add_user(DELEGATE)
    other = bot.slack.add_user("U0OTHERDELEGATE")
    thread = await bot.submit_request(START, END)
    bot.slack.fail_next("users.info", "fatal_error")  # Slack's trouble: tried again later
    await delegated_while_slack_is_slow(bot, monkeypatch, DELEGATE, thread)
    (waiting,) = await rows(bot.sessions, Nudge, Nudge.kind == NudgeKind.DELEGATE_CHECK)
    assert (waiting.sent_at, waiting.last_error) == (None, "fatal_error")

    monkeypatch.setattr(directory, "LOOKUP_SECONDS", 1.5)
    response = await bot.submit(
        HOME,
        Callback.DELEGATE,
        forms.delegate_values(other),
        private_metadata=ref(thread, Side.HOME).encode(),
    )
    assert await response.text() == ""
    await bot.handled()
    await bot.sweep(waiting.due_at)

    assert (await bot.secondment(thread.secondment_id)).home_delegate_id == other
    (dropped,) = await rows(bot.sessions, Nudge, Nudge.id == waiting.id)
    assert (dropped.sent_at, dropped.last_error) == (None, "replaced")
    assert bot.slack.sent("chat.postMessage", channel=DELEGATE) == []
    assert len(bot.slack.sent("chat.postMessage", channel=other)) == 1
