"""The sandbox's workspace as one person sees it, the page's `/api/state` (its shape is described
in bot/sandbox/server.py): their conversations, the messages and replies shown to them, their
Home and open modals, and how much each person has not seen yet."""

from __future__ import annotations

from bot.slack_standin.messages import Conversation
from bot.slack_standin.personas import BOT, EVERYONE, PEOPLE, SLACKBOT, TEAM_ID, TEAM_NAME, TIMEZONE
from bot.slack_standin.wire import Json
from bot.slack_standin.workspace import Workspace


def seen_by(workspace: Workspace, me: str) -> Json:
    """The page's `/api/state`: the workspace as `me` sees it."""
    mine = [c for c in workspace.conversations.values() if me in c.members]
    mine.sort(key=lambda c: (c.kind != "dm", c.kind, c.name))
    home = workspace.homes.get(me)
    return {
        "run": workspace.run,
        "version": workspace.version,
        "now": workspace.clock.now().isoformat(),
        "team": {"id": TEAM_ID, "name": TEAM_NAME},
        "bot": {"id": BOT.id, "name": BOT.name},
        "personas": _personas(workspace),
        "me": me,
        "conversations": [
            {
                "id": c.id,
                "name": c.name,
                "kind": c.kind,
                "members": c.members,
                "unread": unread(workspace, me, c),
            }
            for c in mine
        ],
        "messages": {c.id: [m.seen_by(me) for m in c.messages if m.shown_to(me)] for c in mine},
        "home": {"view_id": home.id, "view": home.view} if home else None,
        "modals": [
            {"view_id": v.id, "view": v.view, "errors": v.errors}
            for v in workspace.modals.get(me, [])
        ],
        "users": {p.id: {"name": p.name} for p in (*EVERYONE.values(), SLACKBOT)},
    }


def unread(workspace: Workspace, user_id: str, conversation: Conversation) -> int:
    """Messages and thread replies from others that `user_id` has not seen here."""
    since = float(workspace.read.get(user_id, {}).get(conversation.id) or 0)
    return sum(
        1
        for m in conversation.everything()
        if m.user != user_id and m.shown_to(user_id) and float(m.ts) > since
    )


def waiting(workspace: Workspace, user_id: str) -> int:
    """All that `user_id` has not seen yet, in every conversation they are in."""
    return sum(
        unread(workspace, user_id, c)
        for c in workspace.conversations.values()
        if user_id in c.members
    )


def _personas(workspace: Workspace) -> list[Json]:
    """The people the page lets you be, each with what they have not seen yet."""
    return [
        {
            "id": p.id,
            "name": p.name,
            "title": p.title,
            "tz": TIMEZONE,
            "waiting": waiting(workspace, p.id),
        }
        for p in PEOPLE
    ]
