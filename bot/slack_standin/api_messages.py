"""The Web API's conversations and messages, answered as Slack answers them over the stand-in's
workspace (workspace.py): opening a DM or a group DM, a conversation's members, history and
threads a page at a time, posting, updating, ephemeral messages and permalinks.

Each method takes the stand-in, the call's arguments and the caller's workspace, and returns
Slack's answer. Where the bot names something the workspace never saw, the workspace's `knows`
says whether that is Slack's error or taken as it is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.slack_standin.conversations import is_conversation, is_person
from bot.slack_standin.messages import Conversation, Message
from bot.slack_standin.wire import Json, blocks_of, metadata_of, page, refused
from bot.slack_standin.workspace import Workspace

if TYPE_CHECKING:
    from bot.slack_standin.server import StandInServer


def conversations_open(slack: StandInServer, body: Json, team: str | None) -> Json:
    """conversations.open: the bot's DM with one person, or a group DM with several."""
    workspace = slack.workspace
    ids = sorted(u for u in str(body.get("users", "")).split(",") if u)
    if not ids:
        return refused("users_list_not_supplied")
    for user_id in ids:
        person = workspace.people.get(user_id)
        if person is None and len(ids) == 1 and workspace.takes_the_unseen:
            continue  # someone the tests never set up: their DM is taken as it is
        if person is None or workspace.elsewhere(user_id, team):
            return refused("user_not_found")
        if person["deleted"]:
            return refused("user_disabled")
    opened = workspace.dm(ids[0], team) if len(ids) == 1 else workspace.group(ids, team)
    return {"ok": True, "channel": {"id": opened.id}}


def conversations_members(slack: StandInServer, body: Json, team: str | None) -> Json:
    """conversations.members: who is in a conversation of the caller's workspace (one the bot
    named before this Slack saw it made has no members it can tell)."""
    conversation = slack.workspace.conversations.get(str(body.get("channel")))
    if (
        conversation is None
        or not conversation.members_known
        or not slack.workspace.in_workspace(conversation, team)
    ):
        return refused("channel_not_found")
    return {"ok": True, "members": conversation.members, "response_metadata": {"next_cursor": ""}}


def conversations_history(slack: StandInServer, body: Json, team: str | None) -> Json:
    """A conversation's own messages (not replies in threads), newest first."""
    workspace = slack.workspace
    conversation = workspace.conversations.get(str(body.get("channel")))
    if conversation is None:
        return page([], body) if workspace.takes_the_unseen else refused("channel_not_found")
    shown = reversed(conversation.in_history())
    return page([message.as_slack(workspace.app) for message in shown], body)


def conversations_replies(slack: StandInServer, body: Json, team: str | None) -> Json:
    """A thread: its parent, then its replies, oldest first (those of a parent the workspace
    never saw, if that is all it holds)."""
    workspace = slack.workspace
    channel, ts = str(body.get("channel")), str(body.get("ts"))
    parent = workspace.find(channel, ts)
    conversation = workspace.conversations.get(channel)
    if parent is not None:
        thread = [parent, *parent.replies]
    elif conversation is not None:
        thread = [m for m in conversation.messages if m.thread_ts == ts]
    else:
        thread = []
    shown = [m.as_slack(workspace.app) for m in thread if m.visible_to is None]
    return page(shown, body) if shown else refused("thread_not_found")


def chat_post_message(slack: StandInServer, body: Json, team: str | None) -> Json:
    """chat.postMessage: the message kept in its conversation (a person's id: their DM)."""
    workspace = slack.workspace
    conversation = conversation_named(workspace, str(body.get("channel") or ""), team)
    if isinstance(conversation, str):
        return refused(conversation)
    thread_ts = str(body.get("thread_ts") or "") or None
    # A thread it never saw is taken where it takes the unseen: the tests' are in the database.
    unknown = thread_ts and not workspace.find(conversation.id, thread_ts)
    if unknown and not workspace.takes_the_unseen:
        return refused("thread_not_found")
    message = _said(workspace, conversation, body, thread_ts, metadata=metadata_of(body))
    return {
        "ok": True,
        "channel": conversation.id,
        "ts": message.ts,
        "message": message.as_slack(workspace.app),
    }


def chat_post_ephemeral(slack: StandInServer, body: Json, team: str | None) -> Json:
    """chat.postEphemeral: a message in the conversation that only `user` sees."""
    workspace = slack.workspace
    conversation = conversation_named(workspace, str(body.get("channel") or ""), team)
    if isinstance(conversation, str):
        return refused(conversation)
    user = str(body.get("user") or "")
    if user not in conversation.members and not workspace.takes_the_unseen:
        return refused("user_not_in_channel")
    thread_ts = str(body.get("thread_ts") or "") or None
    if thread_ts and not workspace.find(conversation.id, thread_ts):
        thread_ts = None  # Slack shows it in the conversation instead
    message = _said(workspace, conversation, body, thread_ts, visible_to=user)
    return {"ok": True, "message_ts": message.ts}


def chat_update(slack: StandInServer, body: Json, team: str | None) -> Json:
    """Slack edits the message in place (keeping its blocks if the call gives none); one it
    does not have is `message_not_found`, unless the workspace never saw it made (`Knows`)."""
    workspace = slack.workspace
    channel, ts = str(body.get("channel") or ""), str(body.get("ts"))
    found = _message(workspace, channel, ts)
    if isinstance(found, str):
        return refused(found)
    if found is None:  # taken as Slack, which holds it, would take it
        return {"ok": True, "channel": channel, "ts": ts, "text": body.get("text")}
    if found.user != workspace.app.bot_user:
        return refused("cant_update_message")
    blocks = blocks_of(body) if "blocks" in body else found.blocks
    workspace.edit(found, str(body.get("text") or ""), blocks)
    return {"ok": True, "channel": channel, "ts": ts, "text": found.text}


def chat_get_permalink(slack: StandInServer, body: Json, team: str | None) -> Json:
    """chat.getPermalink: the message's link, as the workspace makes them."""
    workspace = slack.workspace
    channel, ts = str(body.get("channel") or ""), str(body.get("message_ts"))
    found = _message(workspace, channel, ts)
    if isinstance(found, str):
        return refused(found)
    return {"ok": True, "channel": channel, "permalink": workspace.permalink(channel, ts)}


def conversation_named(
    workspace: Workspace, channel: str, team: str | None, *, people: bool = True
) -> Conversation | str:
    """The conversation a call that posts names, or Slack's error for it. With `people`, a
    person's id means the bot's DM with them (opened if it is new). A conversation the
    workspace never saw is made when it takes the unseen."""
    if people and is_person(channel):
        person = workspace.people.get(channel)
        if channel == workspace.app.bot_user or workspace.elsewhere(channel, team):
            return "channel_not_found"
        if person is None and not workspace.takes_the_unseen:
            return "channel_not_found"
        if person is not None and person["deleted"]:
            return "user_disabled"
        return workspace.dm(channel, team)
    conversation = workspace.conversations.get(channel)
    if conversation is not None:
        return conversation
    if workspace.takes_the_unseen and is_conversation(channel):
        return workspace.unseen(channel, team)
    return "channel_not_found"


def _message(workspace: Workspace, channel: str, ts: str) -> Message | str | None:
    """The message (not an ephemeral one) a call names by conversation and ts; Slack's error
    if there is none; or nothing, where the workspace takes one it does not hold."""
    if channel not in workspace.conversations and not workspace.takes_the_unseen:
        return "channel_not_found"
    found = workspace.find(channel, ts)
    if found is not None and found.visible_to is None:
        return found
    return "message_not_found" if workspace.refuses_missing(channel) else None


def _said(
    workspace: Workspace,
    conversation: Conversation,
    body: Json,
    thread_ts: str | None,
    *,
    metadata: Json | None = None,
    visible_to: str | None = None,
) -> Message:
    """The bot's message with the call's text and blocks, posted in the conversation."""
    text, blocks = str(body.get("text") or ""), blocks_of(body)
    return workspace.post(
        conversation.id,
        workspace.app.bot_user,
        text,
        blocks,
        thread_ts=thread_ts,
        visible_to=visible_to,
        metadata=metadata,
    )
