"""The stand-in's one Web API, as both faces serve it: the sandbox's workspace refuses what it
never saw made, with Slack's errors; the tests' takes what the tests wrote straight into the
database; and both keep the same messages, threads, ephemeral messages, views and files."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack_standin import saving
from bot.slack_standin.personas import BOT, EMPLOYEE, HOME_MANAGER, HOST_MANAGER
from bot.slack_standin.recording import StillClock
from bot.slack_standin.sandbox_face import SandboxSlack, sandbox_workspace
from bot.slack_standin.seen import seen_by
from bot.slack_standin.server import StandInServer
from bot.slack_standin.views import Reply
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


@pytest.fixture
async def tests_slack() -> AsyncIterator[SlackStandIn]:
    served = await serving(Knows.WHAT_IT_WAS_SENT)
    yield served
    await served.stop()


# A face of the stand-in, serving; a client of its Web API; the bot's DM with the employee.
Face = tuple[StandInServer, AsyncWebClient, str]


@pytest.fixture(params=["sandbox", "tests"])
async def face(
    request: pytest.FixtureRequest, sandbox: SandboxSlack, tests_slack: SlackStandIn
) -> Face:
    served: StandInServer = sandbox if request.param == "sandbox" else tests_slack
    web = client(served, SANDBOX_TOKEN if request.param == "sandbox" else BOT_TOKEN)
    dm = (await web.conversations_open(users=EMPLOYEE.id))["channel"]["id"]
    return served, web, str(dm)


async def serving(knows: Knows) -> SlackStandIn:
    served = SlackStandIn(knows=knows)
    served.add_user(EMPLOYEE.id)
    await served.start()
    return served


def client(served: StandInServer, token: str) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=served.api_url)


async def refusal(call: Awaitable[Any]) -> str:
    """Slack's error code for a call that must be refused."""
    with pytest.raises(SlackApiError) as refused:
        await call
    return str(refused.value.response["error"])


async def test_the_sandbox_refuses_what_it_never_saw_made(sandbox: SandboxSlack) -> None:
    web = client(sandbox, SANDBOX_TOKEN)
    update = web.chat_update(channel="G0SEEDED", ts="1.000001", text="x")
    assert await refusal(update) == "channel_not_found"
    post = web.chat_postMessage(channel="C0NOWHERE", text="x")
    assert await refusal(post) == "channel_not_found"
    history = web.conversations_history(channel="G0SEEDED")
    assert await refusal(history) == "channel_not_found"
    opened = web.views_open(trigger_id="1.2.never-handed-out", view=MODAL)
    assert await refusal(opened) == "expired_trigger_id"
    dm = "D" + EMPLOYEE.id[1:]
    reply = web.chat_postMessage(channel=dm, thread_ts="1.000001", text="x")
    assert await refusal(reply) == "thread_not_found"


async def test_the_tests_slack_takes_what_the_tests_wrote_straight_into_the_database(
    tests_slack: SlackStandIn,
) -> None:
    web = client(tests_slack, BOT_TOKEN)
    # A thread the tests seeded: its update is taken, and replies to it are kept as such.
    assert (await web.chat_update(channel="G0SEEDED", ts="1.000001", text="x"))["ok"]
    first = await web.chat_postMessage(channel="G0SEEDED", thread_ts="1.000001", text="one")
    await web.chat_postMessage(channel="G0SEEDED", thread_ts=first["ts"], text="two")
    replies = await web.conversations_replies(channel="G0SEEDED", ts="1.000001")
    assert [m["text"] for m in replies["messages"]] == ["one", "two"]
    history = await web.conversations_history(channel="G0SEEDED")
    assert history["messages"] == []  # replies are not the conversation's own
    opened = await web.views_open(trigger_id="1.2.built-by-a-test", view=MODAL)
    assert opened["view"]["id"].startswith("V")
    members = web.conversations_members(channel="G0SEEDED")
    assert await refusal(members) == "channel_not_found"  # who is in it was never said
    # Once it holds the conversation, a message it does not have is not found.
    update = web.chat_update(channel="G0SEEDED", ts="1.000002", text="x")
    assert await refusal(update) == "message_not_found"
    # A reply deleted (as the tests do to lose one) is gone from its thread.
    workspace = tests_slack.workspace
    lost = workspace.find("G0SEEDED", first["ts"])
    assert lost is not None
    workspace.delete("G0SEEDED", lost)
    replies = await web.conversations_replies(channel="G0SEEDED", ts="1.000001")
    assert [m["text"] for m in replies["messages"]] == ["two"]


async def test_a_slack_holding_part_of_the_messages_takes_updates_of_the_others() -> None:
    served = await serving(Knows.PART)
    try:
        web = client(served, BOT_TOKEN)
        held = await web.chat_postMessage(channel="G0THREAD", text="the parent")
        assert (await web.chat_update(channel="G0THREAD", ts="1.000009", text="x"))["ok"]
        await web.chat_update(channel="G0THREAD", ts=held["ts"], text="edited")
        assert [m["text"] for m in served.posted("G0THREAD")] == ["edited"]
    finally:
        await served.stop()


async def test_both_faces_keep_messages_threads_and_ephemeral_messages_alike(
    face: Face,
) -> None:
    served, web, dm = face
    parent = await web.chat_postMessage(channel=EMPLOYEE.id, text="parent", blocks=SECTION)
    assert parent["channel"] == dm == "D" + EMPLOYEE.id[1:]
    await web.chat_postMessage(channel=dm, thread_ts=parent["ts"], text="reply")
    only_you = await web.chat_postEphemeral(channel=dm, user=EMPLOYEE.id, text="only you")
    await web.chat_update(channel=dm, ts=parent["ts"], text="parent, edited")

    history = await web.conversations_history(channel=dm)
    assert [m["text"] for m in history["messages"]] == ["parent, edited"]
    assert history["messages"][0]["blocks"] == SECTION  # an update without blocks keeps them
    thread = await web.conversations_replies(channel=dm, ts=parent["ts"])
    assert [m["text"] for m in thread["messages"]] == ["parent, edited", "reply"]
    ephemeral = [m for m in served.workspace.conversations[dm].messages if m.visible_to]
    assert [(m.text, m.visible_to) for m in ephemeral] == [("only you", EMPLOYEE.id)]
    update = web.chat_update(channel=dm, ts=only_you["message_ts"], text="x")
    assert await refusal(update) == "message_not_found"  # an ephemeral message is never kept


async def test_both_faces_share_an_uploaded_file_as_a_message_and_answer_response_urls(
    face: Face,
) -> None:
    served, web, dm = face
    await web.files_upload_v2(
        channel=dm, content="a,b\n", filename="report.csv", initial_comment="Your export"
    )
    (shared,) = served.workspace.conversations[dm].messages
    assert shared.text == "Your export"
    assert [f["name"] for f in shared.files] == ["report.csv"]
    await web.files_upload_v2(content="private", filename="kept.txt")  # no channel: private
    assert len(served.workspace.conversations[dm].messages) == 1

    served.workspace.replies["R1"] = Reply(EMPLOYEE.id, dm, shared.ts)
    async with aiohttp.ClientSession() as session:
        answer = await session.post(served.response_url("R1"), json={"text": "Working on it"})
        assert answer.status == 200
    said = served.workspace.conversations[dm].messages[-1]
    assert (said.text, said.visible_to) == ("Working on it", EMPLOYEE.id)


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


async def test_a_modal_stack_holds_three_views_and_an_update_checks_the_hash(
    sandbox: SandboxSlack,
) -> None:
    web = client(sandbox, SANDBOX_TOKEN)
    triggers = [f"{n}.sandbox" for n in range(4)]
    sandbox.workspace.triggers.update(dict.fromkeys(triggers, EMPLOYEE.id))
    root = (await web.views_open(trigger_id=triggers[0], view=MODAL))["view"]
    await web.views_push(trigger_id=triggers[1], view=MODAL)
    await web.views_push(trigger_id=triggers[2], view=MODAL)
    assert await refusal(web.views_push(trigger_id=triggers[3], view=MODAL)) == (
        "push_limit_reached"
    )
    stale = web.views_update(view_id=root["id"], hash="not-its-hash", view=MODAL)
    assert await refusal(stale) == "hash_conflict"
    updated = await web.views_update(view_id=root["id"], hash=root["hash"], view=MODAL)
    assert updated["view"]["hash"] != root["hash"]


async def test_a_sandbox_saved_before_group_dms_had_their_ids_takes_up_the_same_one() -> None:
    """An earlier run named a group DM with four letters of each id: it is the same group."""
    workspace = sandbox_workspace(StillClock())
    kept = saving.saved(workspace)
    people = sorted([EMPLOYEE.id, HOME_MANAGER.id, HOST_MANAGER.id])
    old = {"id": "G" + "".join(p[-4:] for p in people), "name": "the three", "kind": "group"}
    kept["conversations"].append({**old, "members": [*people, BOT.id], "messages": []})

    restored = sandbox_workspace(StillClock())
    saving.restore(restored, kept)

    assert restored.group(list(reversed(people))).id == old["id"]
