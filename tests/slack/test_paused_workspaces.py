"""Events are acted on once, and a workspace the bot cannot speak to is paused, not spammed:
after `tokens_revoked`, `app_uninstalled` or a token Slack refuses, the sweep makes no call for
that workspace and marks nothing sent; the nudges wait, with their attempts untouched, and go
out once a working token resumes the workspace. One workspace here (the bot token in the
settings); tests/slack/test_workspaces.py pauses and reinstalls one of two in OAuth mode."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot.domain.states import Status
from bot.models import AuditEvent, Nudge
from bot.slack.client import make_web_client
from bot.slack.delivery import send_due_nudges
from tests.support import wire
from tests.support.flows import approved
from tests.support.harness import EMPLOYEE, HOME, HOST, Harness
from tests.support.standin import BOT_USER_ID, TEAM_ID

START, END = date(2027, 2, 1), date(2027, 7, 30)
REMINDED = datetime(2027, 1, 7, 9, 0, tzinfo=UTC)  # the third working day: both sides reminded


def reminders(bot: Harness) -> list[str]:
    return [c.body["channel"] for c in bot.slack.sent("chat.postMessage") if "reminder" in c.text]


async def open_nudges(bot: Harness) -> list[Nudge]:
    async with bot.sessions() as session:
        return list(
            await session.scalars(
                select(Nudge).where(Nudge.due_at <= REMINDED, Nudge.sent_at.is_(None))
            )
        )


async def actions(bot: Harness) -> list[str]:
    async with bot.sessions() as session:
        return list(await session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


async def health(bot: Harness) -> dict[str, object]:
    response = await bot.http.get("/healthz")
    assert response.status == 200
    answer: dict[str, object] = await response.json()
    return answer


async def test_an_event_slack_sends_again_is_handled_once(bot: Harness) -> None:
    body = wire.app_home_opened(EMPLOYEE)
    headers = wire.sign(body, content_type="application/json")

    first = await bot.post(body, headers)
    await bot.handled()
    retry = await bot.post(body, {**headers, "X-Slack-Retry-Num": "1"})
    await bot.handled()
    other = await bot.open_home(EMPLOYEE)  # a new event, with an id of its own
    await bot.handled()

    assert (first.status, retry.status, other.status) == (200, 200, 200)
    assert len(bot.slack.sent("views.publish")) == 2


async def test_after_tokens_revoked_nothing_is_sent_or_marked_until_the_token_works(
    bot: Harness,
) -> None:
    await bot.submit_request(START, END)
    bot.slack.tokens.clear()  # Slack revokes the bot token, and says so
    calls_before = len(bot.slack.calls)
    revoked = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [BOT_USER_ID]}}
    response = await bot.post(
        body := wire.event_callback(revoked), wire.sign(body, content_type="application/json")
    )
    await bot.handled()
    assert response.status == 200

    # Twelve days of sweeps: no message, nothing marked sent, no attempt counted.
    for day in range(7, 19):
        assert await bot.sweep(datetime(2027, 1, day, 9, 0, tzinfo=UTC)) == 0
    assert bot.slack.sent("chat.postMessage")[calls_before:] == []
    waiting = await open_nudges(bot)
    assert {(n.recipient_id, n.attempts, n.cancelled_at) for n in waiting} == {
        (HOME, 0, None),
        (HOST, 0, None),
    }
    assert "delivery_paused" in await actions(bot)
    assert (await health(bot))["paused_workspaces"] == 1
    metrics = await (await bot.http.get("/metrics")).text()
    assert "secondment_workspaces_paused 1.0" in metrics

    # Slack was asked once, with auth.test, whether the token works; never again for it.
    assert [(c.method, c.error) for c in bot.slack.calls[calls_before:]] == [
        ("auth.test", "invalid_auth")
    ]

    # The operator starts the bot with a new token: the next sweep tries it, and the reminders go.
    new_client = make_web_client("xoxb-new-token", bot.slack.api_url)
    bot.slack.tokens["xoxb-new-token"] = TEAM_ID
    await send_due_nudges(new_client, bot.deps, datetime(2027, 1, 19, 9, 0, tzinfo=UTC))
    assert {HOME, HOST} <= set(reminders(bot))
    assert "delivery_resumed" in await actions(bot)
    assert await health(bot) == {"status": "ok"}


# One send at a time: with more, those already on their way when the refusal comes back are
# refused too (at most `send_concurrency` calls).
@pytest.mark.settings(send_concurrency=1)
async def test_a_token_slack_refuses_mid_sweep_pauses_the_workspace_after_one_call(
    bot: Harness,
) -> None:
    await bot.submit_request(START, END)
    bot.slack.tokens.clear()  # revoked, but no event has said so yet
    calls_before = len(bot.slack.calls)

    assert await bot.sweep(REMINDED) == 0
    assert await bot.sweep(REMINDED.replace(hour=10)) == 0

    refused = bot.slack.calls[calls_before:]
    assert [(c.method, c.error) for c in refused] == [("chat.postMessage", "invalid_auth")]
    waiting = await open_nudges(bot)
    assert {(n.attempts, n.sent_at, n.cancelled_at, n.claimed_until) for n in waiting} == {
        (0, None, None, None)
    }
    assert (await health(bot))["paused_workspaces"] == 1
    assert (await actions(bot)).count("delivery_paused") == 1


async def test_app_uninstalled_pauses_the_workspace(bot: Harness) -> None:
    await bot.submit_request(START, END)
    bot.slack.tokens.clear()
    calls_before = len(bot.slack.calls)

    await bot.send_event({"type": "app_uninstalled"})

    assert await bot.sweep(REMINDED) == 0
    assert await bot.sweep(REMINDED.replace(hour=10)) == 0
    # The token is asked about once (the event named none), and nothing is sent.
    refused = [(c.method, c.error) for c in bot.slack.calls[calls_before:]]
    assert refused == [("auth.test", "invalid_auth")]
    assert (await health(bot))["paused_workspaces"] == 1


async def test_a_paused_workspace_s_secondment_still_starts_on_its_day(bot: Harness) -> None:
    thread = await approved(bot, START, END)
    bot.slack.tokens.clear()
    await bot.send_event({"type": "app_uninstalled"})

    await bot.sweep(datetime(2027, 2, 1, 9, 0, tzinfo=UTC))

    # The start is a change, not a message: it is made; the welcomes wait for the workspace.
    assert (await bot.secondment(thread.secondment_id)).status == Status.ACTIVE
    assert [c for c in bot.slack.sent("chat.postMessage") if "welcome" in c.text.lower()] == []


async def test_a_replica_with_an_old_token_cannot_keep_a_workspace_paused(bot: Harness) -> None:
    await bot.submit_request(START, END)
    new_client = make_web_client("xoxb-new-token", bot.slack.api_url)
    bot.slack.tokens = {"xoxb-new-token": TEAM_ID}  # the old token is revoked; a new one works

    # The old replica (the harness's client, old token) pauses the workspace on its sweep ...
    assert await bot.sweep(REMINDED) == 0
    assert (await health(bot))["paused_workspaces"] == 1
    # ... and the new replica's next sweep tries its own token, resumes, and sends.
    await send_due_nudges(new_client, bot.deps, REMINDED.replace(hour=10))

    assert {HOME, HOST} <= set(reminders(bot))
    assert await health(bot) == {"status": "ok"}
