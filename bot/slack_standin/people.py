"""The people Slack knows, by user id, as users.info shows them, each in their workspace: a
person of another workspace than the caller's cannot be reached, as in Slack."""

from __future__ import annotations

from bot.slack_standin.wire import Json


def elsewhere(users: dict[str, Json], user_id: str, team: str | None) -> bool:
    """A person Slack knows in another workspace than the caller's, so cannot be reached."""
    return user_id in users and users[user_id]["team_id"] != team


def users_info(users: dict[str, Json], body: Json, team: str | None) -> Json:
    """users.info: the person, if the caller's workspace can see them."""
    user = users.get(str(body.get("user")))
    if user is None or elsewhere(users, user["id"], team):
        return {"ok": False, "error": "user_not_found"}
    return {"ok": True, "user": user}


def home_refusal(users: dict[str, Json], user_id: str, view: Json, team: str | None) -> str | None:
    """Why views.publish refuses this Home, if it does: nobody the caller can reach, or not a
    Home view."""
    if user_id not in users or elsewhere(users, user_id, team):
        return "user_not_found"
    if view.get("type") != "home":
        return "invalid_arguments"
    return None
