"""What a change says is written with the change and delivered until Slack takes it, once.

Slack fails here the ways it does: an outage (503), a rate limit that outlasts the client's own
retries, an answer lost after the message was posted, a person it will never reach. Every
message carries its outbox id in Slack's message metadata; these tests count copies by it.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.domain.kinds import NudgeKind, Posted
from bot.domain.nudge_catalogue import SAID
from bot.domain.states import Side
from bot.models import Nudge
from bot.services.sweep import Due
from bot.slack.ids import Action, Callback
from bot.slack.posting import PAGES_SEARCHED
from bot.slack.sent_marks import SentMarks
from bot.slack_standin.faults import DROPPED
from tests.support import forms
from tests.support.flows import approve
from tests.support.harness import EMPLOYEE, HOME, HOST, Harness, Thread
from tests.support.rows import rows

START, END = date(2027, 2, 1), date(2027, 7, 30)
LATER = datetime(2027, 1, 4, 12, tzinfo=UTC)  # two hours after the conftest's NOW
OTHER = "U0COLLEAGUE"  # someone else in the thread


def outbox_ids(messages: list[dict[str, Any]]) -> Counter[int]:
    return Counter(
        m["metadata"]["event_payload"]["outbox_id"] for m in messages if m.get("metadata")
    )


def in_thread(bot: Harness, thread: Thread) -> list[dict[str, Any]]:
    return [m for m in bot.slack.posted(thread.channel) if m.get("thread_ts") == thread.ts]


def busy_before(bot: Harness, thread: Thread, replies: int) -> None:
    """Others' replies in the thread, earlier than any of the bot's."""
    for n in range(replies):
        bot.slack.workspace.post(
            thread.channel, OTHER, f"reply {n}", thread_ts=thread.ts, ts=f"1700000000.{n:06d}"
        )


async def waiting(bot: Harness) -> list[Nudge]:
    return await rows(
        bot.sessions,
        Nudge,
        Nudge.kind.in_(SAID),
        Nudge.sent_at.is_(None),
        Nudge.cancelled_at.is_(None),
    )


async def test_every_message_carries_its_outbox_id_once(bot: Harness) -> None:
    thread = await bot.submit_request(START, END)
    await approve(bot, HOME, thread, Side.HOME)
    await bot.handled()

    posted = [*bot.slack.posted(thread.channel), *bot.slack.posted(EMPLOYEE)]
    ids = outbox_ids(posted)
    assert len(posted) == 3 and set(ids.values()) == {1}  # the terms, the reply, the confirmation
    assert await waiting(bot) == []


async def approved_while(bot: Harness, method: str, error: str, **fault: Any) -> Thread:
    """A request whose home manager approves while Slack fails the next `method` call with
    `error` (see `SlackStandIn.fail_next`); returns once the bot has done what it could."""
    thread = await bot.submit_request(START, END)
    bot.slack.fail_next(method, error, **fault)
    await approve(bot, HOME, thread, Side.HOME)
    await bot.handled()
    return thread


async def test_a_reply_during_an_outage_waits_and_goes_once_with_the_next_sweep(
    bot: Harness,
) -> None:
    thread = await approved_while(bot, "chat.postMessage", "service_unavailable", status=503)

    assert in_thread(bot, thread) == []
    (reply, redraw) = await waiting(bot)  # the parent waits behind the reply, in order
    assert (reply.kind, redraw.kind) == (NudgeKind.MESSAGE, NudgeKind.THREAD_UPDATE)
    assert reply.last_error == "service_unavailable" and reply.attempts == 1
    assert reply.maybe_sent  # a server error: whether Slack posted it is not known
    assert bot.slack.sent("chat.update") == []

    assert await bot.sweep(reply.due_at) == 2
    assert len(bot.slack.sent("conversations.replies")) == 1  # looked for first: not there
    (posted,) = in_thread(bot, thread)
    assert "approved the *home manager* side" in posted["text"]
    assert len(bot.slack.sent("chat.update")) == 1
    assert await waiting(bot) == []


async def answer_lost(bot: Harness) -> tuple[Thread, Nudge]:
    """An approval whose reply Slack posts, but whose answer is lost: a 500, which the client
    does not retry for a post. Returns the thread and the reply's row, waiting."""
    thread = await approved_while(
        bot, "chat.postMessage", "internal_error", status=500, accepted=True
    )
    (reply, _) = await waiting(bot)
    return thread, reply


async def test_a_reply_whose_answer_was_lost_is_found_in_the_thread_not_posted_again(
    bot: Harness,
) -> None:
    thread, reply = await answer_lost(bot)

    assert reply.maybe_sent and reply.last_error == "internal_error"
    assert await bot.sweep(reply.due_at) == 2

    (posted,) = in_thread(bot, thread)
    assert outbox_ids([posted]) == {reply.id: 1}
    (looked,) = bot.slack.sent("conversations.replies")
    assert looked.body["include_all_metadata"] in (True, "true", 1, "1")
    assert await waiting(bot) == []


async def test_a_message_posted_before_the_process_died_is_not_posted_again(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kill -9 between Slack's answer and the mark: the rows stay as the claim left them,
    sending under way. When the claim runs out, the next sweep claims them again, finds the
    reply in the thread by its metadata and only marks it; the parent is simply re-drawn."""
    thread = await bot.submit_request(START, END)

    def died(self: SentMarks, due: Due, posted: Posted | None = None) -> None:
        """The process is gone: nothing after the post is recorded."""

    monkeypatch.setattr(SentMarks, "delivered", died)
    await approve(bot, HOME, thread, Side.HOME)
    await bot.handled()
    monkeypatch.undo()
    (reply, redraw) = await waiting(bot)
    assert reply.maybe_sent and reply.claimed_until is not None
    assert redraw.kind is NudgeKind.THREAD_UPDATE
    assert outbox_ids(in_thread(bot, thread)) == {reply.id: 1}

    # The lease has run out: claimed again, found, marked.
    assert await bot.sweep(reply.claimed_until + timedelta(seconds=1)) == 2

    assert outbox_ids(in_thread(bot, thread)) == {reply.id: 1}
    assert len(bot.slack.sent("conversations.replies")) == 1
    assert await waiting(bot) == []


async def test_a_thread_slack_could_not_open_is_opened_by_the_next_sweep(bot: Harness) -> None:
    bot.slack.fail_next("conversations.open", "service_unavailable", status=503)
    bot.slack.fail_next("conversations.open", "service_unavailable", status=503)
    bot.slack.fail_next("conversations.open", "service_unavailable", status=503)
    values = forms.request_values(home=HOME, host=HOST, start=START, end=END)

    response = await bot.submit(EMPLOYEE, Callback.REQUEST, values)
    await bot.handled()

    assert response.status == 200 and await response.text() == ""
    assert (await bot.secondment(1)).thread_ts is None  # stored, not yet posted
    (opening,) = await waiting(bot)
    assert opening.kind is NudgeKind.THREAD_OPEN and opening.last_error == "service_unavailable"

    assert await bot.sweep(opening.due_at) == 2  # the thread, then the confirmation
    row = await bot.secondment(1)
    assert row.thread_ts is not None
    (terms,) = bot.slack.posted(str(row.channel_id))
    assert "Secondment request #1" in terms["text"]
    (confirmation,) = bot.slack.posted(EMPLOYEE)
    assert "is in writing" in confirmation["text"]


@pytest.mark.settings(hr_users="U0HR")
async def test_a_thread_slack_will_never_open_is_given_up_and_the_employee_and_hr_told(
    bot: Harness,
) -> None:
    # The host manager's account is deactivated between the form's check and the thread.
    bot.slack.fail_next("conversations.open", "user_disabled")
    values = forms.request_values(home=HOME, host=HOST, start=START, end=END)

    await bot.submit(EMPLOYEE, Callback.REQUEST, values)
    await bot.handled()

    (told,) = bot.slack.posted(EMPLOYEE)
    assert "request #1 is saved, but I couldn't open the approval thread" in told["text"]
    assert "user_disabled" in told["text"]
    (opening,) = await rows(bot.sessions, Nudge, Nudge.kind == NudgeKind.THREAD_OPEN)
    assert (opening.last_error, opening.sent_at) == ("user_disabled", None)
    assert opening.cancelled_at is not None
    assert await waiting(bot) == []
    (alert,) = bot.slack.posted("U0HR")
    assert "request #1 from <@U0EMPLOYEE> could not be shared" in alert["text"]
    assert "user_disabled" in alert["text"]

    # The managers never saw it: neither a reminder nor HR's escalation follows.
    assert await bot.sweep(LATER + timedelta(days=30)) == 0
    assert bot.slack.posted(HOME) == bot.slack.posted(HOST) == []
    assert len(bot.slack.posted("U0HR")) == 1


async def test_a_server_error_on_a_call_that_posts_nothing_is_retried_by_the_client(
    bot: Harness,
) -> None:
    await approved_while(bot, "chat.update", "service_unavailable", status=503)

    # Re-drawing the parent changes nothing if done twice: the client tries again at once.
    assert [u.error for u in bot.slack.sent("chat.update")] == ["service_unavailable", None]
    # Its backoff (half a second and some jitter), through the wait the tests inject.
    assert len(bot.sleeps) == 1 and 0.5 <= bot.sleeps[0] <= 1.5
    assert await waiting(bot) == []


async def test_a_lost_reply_deep_in_a_busy_thread_is_found_on_a_later_page(bot: Harness) -> None:
    thread, reply = await answer_lost(bot)
    # 250 replies before it: the thread's first page (of 200) does not reach it.
    busy_before(bot, thread, 250)

    assert await bot.sweep(reply.due_at) == 2

    assert outbox_ids(in_thread(bot, thread)) == {reply.id: 1}
    pages = bot.slack.sent("conversations.replies")
    assert [p.body.get("cursor") for p in pages] == [None, "200"]
    assert await waiting(bot) == []


async def test_a_message_not_found_in_as_many_messages_as_are_searched_is_sent(
    bot: Harness,
) -> None:
    """Searched as far back as a lost attempt could be (five pages), and not there: sent."""
    thread, reply = await answer_lost(bot)
    lost = next(m for m in in_thread(bot, thread) if m.get("metadata"))
    workspace = bot.slack.workspace
    found = workspace.find(thread.channel, lost["ts"])
    assert found is not None
    workspace.delete(thread.channel, found)  # as if it never arrived
    busy_before(bot, thread, 1200)

    assert await bot.sweep(reply.due_at) == 2

    assert len(bot.slack.sent("conversations.replies")) == PAGES_SEARCHED
    assert outbox_ids(in_thread(bot, thread)) == {reply.id: 1}


async def test_without_the_history_scopes_a_message_is_sent_rather_than_lost(
    bot: Harness,
) -> None:
    """An app installed before the bot asked for them cannot look: it sends, once more."""
    thread, reply = await answer_lost(bot)
    bot.slack.fail_next("conversations.replies", "missing_scope")

    assert await bot.sweep(reply.due_at) == 2

    assert outbox_ids(in_thread(bot, thread)) == {reply.id: 2}
    assert await waiting(bot) == []


async def test_a_home_slack_could_not_publish_after_a_decision_there_is_published_later(
    bot: Harness,
) -> None:
    await bot.submit_request(START, END)
    await bot.open_home(HOME)
    await bot.home_of(HOME)
    for _ in range(3):  # the first try and the client's two retries
        bot.slack.fail_next("views.publish", "service_unavailable", status=503)

    await bot.click_on_home(HOME, Action.APPROVE, "1:home:1")
    await bot.handled()

    (home,) = [n for n in await waiting(bot) if n.kind is NudgeKind.HOME_UPDATE]
    assert (home.recipient_id, home.last_error) == (HOME, "service_unavailable")
    assert await bot.sweep(home.due_at) == 1
    latest = bot.slack.sent("views.publish", user_id=HOME)[-1]
    assert latest.error is None and "Approve" not in latest.blocks_text
    assert await waiting(bot) == []


async def test_a_post_whose_connection_dropped_is_looked_for_before_it_is_tried_again(
    bot: Harness,
) -> None:
    # Posted, then no answer at all: as a timeout. The client does not re-post on its own.
    thread = await approved_while(
        bot, "chat.postMessage", "no_answer", status=DROPPED, accepted=True
    )

    (reply, _) = await waiting(bot)
    assert reply.maybe_sent and reply.last_error == "timeout"
    replies = bot.slack.sent("chat.postMessage", channel=thread.channel, thread_ts=thread.ts)
    assert len(replies) == 1  # tried once, not again by the client
    assert await bot.sweep(reply.due_at) == 2
    assert outbox_ids(in_thread(bot, thread)) == {reply.id: 1}
    assert await waiting(bot) == []
