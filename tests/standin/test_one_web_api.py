"""The stand-in's one Web API, as both faces serve it: the sandbox's workspace refuses what it
never saw made, with Slack's errors; the tests' takes what the tests wrote straight into the
database; and both keep the same messages, threads, ephemeral messages, views and files."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack_standin.personas import EMPLOYEE, HOME_MANAGER, HOST_MANAGER
from bot.slack_standin.recording import StillClock
from bot.slack_standin.sandbox_face import SandboxSlack, sandbox_workspace
from bot.slack_standin.seen import seen_by
from bot.slack_standin.server import StandInServer
from bot.slack_standin.workspace import Knows
from tests.support.standin import BOT_TOKEN, SlackStandIn

SANDBOX_TOKEN = "xoxb-sandbox-token"
SECTION = [{"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}]
MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "Form"}, "blocks": SECTION}


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxSlack]:
    served = SandboxSlack(sandbox_workspace(StillClock()), SANDBOX_TOKEN)
    await served.start()
    yield served
    await served.stop()


async def tests_slack(knows: Knows = Knows.WHAT_IT_WAS_SENT) -> SlackStandIn:
    served = SlackStandIn(knows=knows)
    served.add_user(EMPLOYEE.id)
    await served.start()
    return served


def client(served: StandInServer, token: str) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=served.api_url)


async def refusal(call: object) -> str:
    """Slack's error code for a call that must be refused."""
    with pytest.raises(SlackApiError) as refused:
        await call  # type: ignore[misc]
    return str(refused.value.response["error"])


async def test_the_sandbox_refuses_what_it_never_saw_made(sandbox: SandboxSlack) -> None:
    web = client(sandbox, SANDBOX_TOKEN)
    update = web.chat_update(channel="G0SEEDED", ts="1.000001", text="x")
    assert await refusal(update) == "message_not_found"
    post = web.chat_postMessage(channel="C0NOWHERE", text="x")
    assert await refusal(post) == "channel_not_found"
    history = web.conversations_history(channel="G0SEEDED")
    assert await refusal(history) == "channel_not_found"
    opened = web.views_open(trigger_id="1.2.never-handed-out", view=MODAL)
    assert await refusal(opened) == "expired_trigger_id"
    dm = "D" + EMPLOYEE.id[1:]
    reply = web.chat_postMessage(channel=dm, thread_ts="1.000001", text="x")
    assert await refusal(reply) == "thread_not_found"


async def test_the_tests_slack_takes_what_the_tests_wrote_straight_into_the_database() -> None:
    served = await tests_slack()
    try:
        web = client(served, BOT_TOKEN)
        # A thread the tests seeded: its update is taken, and a reply to it is kept as such.
        assert (await web.chat_update(channel="G0SEEDED", ts="1.000001", text="x"))["ok"]
        await web.chat_postMessage(channel="G0SEEDED", thread_ts="1.000001", text="a reply")
        replies = await web.conversations_replies(channel="G0SEEDED", ts="1.000001")
        assert [m["text"] for m in replies["messages"]] == ["a reply"]
        history = await web.conversations_history(channel="G0SEEDED")
        assert history["messages"] == []  # a reply is not the conversation's own
        opened = await web.views_open(trigger_id="1.2.built-by-a-test", view=MODAL)
        assert opened["view"]["id"].startswith("V")
        # Once it holds the conversation, a message it does not have is not found.
        update = web.chat_update(channel="G0SEEDED", ts="1.000002", text="x")
        assert await refusal(update) == "message_not_found"
    finally:
        await served.stop()


async def test_a_slack_holding_part_of_the_messages_takes_updates_of_the_others() -> None:
    served = await tests_slack(Knows.PART)
    try:
        web = client(served, BOT_TOKEN)
        await web.chat_postMessage(channel="G0THREAD", text="the parent")
        assert (await web.chat_update(channel="G0THREAD", ts="1.000009", text="x"))["ok"]
    finally:
        await served.stop()


@pytest.mark.parametrize("face", ["sandbox", "tests"])
async def test_both_faces_keep_messages_threads_and_ephemeral_messages_alike(
    face: str, sandbox: SandboxSlack
) -> None:
    served: StandInServer = sandbox if face == "sandbox" else await tests_slack()
    web = client(served, SANDBOX_TOKEN if face == "sandbox" else BOT_TOKEN)
    try:
        dm = (await web.conversations_open(users=EMPLOYEE.id))["channel"]["id"]
        parent = await web.chat_postMessage(channel=EMPLOYEE.id, text="parent", blocks=SECTION)
        assert parent["channel"] == dm == "D" + EMPLOYEE.id[1:]
        await web.chat_postMessage(channel=dm, thread_ts=parent["ts"], text="reply")
        await web.chat_postEphemeral(channel=dm, user=EMPLOYEE.id, text="only you")
        await web.chat_update(channel=dm, ts=parent["ts"], text="parent, edited")

        history = await web.conversations_history(channel=dm)
        assert [m["text"] for m in history["messages"]] == ["parent, edited"]
        thread = await web.conversations_replies(channel=dm, ts=parent["ts"])
        assert [m["text"] for m in thread["messages"]] == ["parent, edited", "reply"]
        ephemeral = [m for m in served.workspace.conversations[dm].messages if m.visible_to]
        assert [(m.text, m.visible_to) for m in ephemeral] == [("only you", EMPLOYEE.id)]
    finally:
        if served is not sandbox:
            await served.stop()


async def test_a_group_dm_is_the_same_one_however_its_people_are_ordered(
    sandbox: SandboxSlack,
) -> None:
    web = client(sandbox, SANDBOX_TOKEN)
    people = [EMPLOYEE.id, HOME_MANAGER.id, HOST_MANAGER.id]
    first = await web.conversations_open(users=",".join(people))
    again = await web.conversations_open(users=",".join(reversed(people)))
    assert first["channel"]["id"] == again["channel"]["id"]
    assert sandbox.workspace.conversations[first["channel"]["id"]].kind == "group"


async def test_an_ephemeral_message_shows_on_the_page_to_its_person_alone(
    sandbox: SandboxSlack,
) -> None:
    web = client(sandbox, SANDBOX_TOKEN)
    channel = (await web.conversations_open(users=f"{EMPLOYEE.id},{HOME_MANAGER.id}"))["channel"]
    await web.chat_postEphemeral(channel=channel["id"], user=EMPLOYEE.id, text="only you")

    def texts(me: str) -> list[str]:
        return [m["text"] for m in seen_by(sandbox.workspace, me)["messages"][channel["id"]]]

    assert texts(EMPLOYEE.id) == ["only you"]
    assert texts(HOME_MANAGER.id) == []
    outsider = web.chat_postEphemeral(channel=channel["id"], user=HOST_MANAGER.id, text="x")
    assert await refusal(outsider) == "user_not_in_channel"
