"""The Web API's views, answered as Slack answers them over the stand-in's workspace: a modal
opened or pushed with the trigger id of whoever acted, a view updated in place (its hash checked),
and a person's App Home published.

A trigger id the workspace never handed out is `expired_trigger_id`, unless the workspace takes
the unseen (the tests build their requests themselves): the modal then opens for no one it keeps,
and an update of a view it does not hold is taken as it is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.slack_standin.view_stacks import MODAL_STACK
from bot.slack_standin.wire import Json, as_dict, refused

if TYPE_CHECKING:
    from bot.slack_standin.server import StandInServer


def views_open(slack: StandInServer, body: Json, team: str | None) -> Json:
    """views.open: a new modal for whoever the trigger id came with."""
    workspace, view = slack.workspace, as_dict(body["view"])
    user = _whose(slack, body, view)
    if isinstance(user, dict):
        return user
    return {"ok": True, "view": workspace.open_modal(user, view).as_slack(workspace.app)}


def views_push(slack: StandInServer, body: Json, team: str | None) -> Json:
    """A view over the open modal's: Slack allows two over the root, three in all."""
    workspace, view = slack.workspace, as_dict(body["view"])
    user = _whose(slack, body, view)
    if isinstance(user, dict):
        return user
    if len(workspace.modals.get(user, [])) >= MODAL_STACK:
        return refused("push_limit_reached")
    return {"ok": True, "view": workspace.push(user, view).as_slack(workspace.app)}


def views_update(slack: StandInServer, body: Json, team: str | None) -> Json:
    """A view replaced in place, by its id, if its hash (when given) is still the view's."""
    workspace = slack.workspace
    view_id = str(body.get("view_id") or "")
    if not view_id:
        return refused("invalid_arguments")
    view = as_dict(body["view"])
    owner = workspace.owner_of(view_id)
    if owner is None:
        if workspace.takes_the_unseen:
            return {"ok": True, "view": {**view, "id": view_id}}
        return refused("not_found")
    _, kept = owner
    if body.get("hash") and body["hash"] != kept.hash:
        return refused("hash_conflict")
    return {"ok": True, "view": workspace.replace(kept, view).as_slack(workspace.app)}


def views_publish(slack: StandInServer, body: Json, team: str | None) -> Json:
    """views.publish: a person's App Home."""
    workspace = slack.workspace
    user_id = str(body.get("user_id") or "")
    view = as_dict(body["view"])
    if user_id not in workspace.people or workspace.elsewhere(user_id, team):
        return refused("user_not_found")
    if view.get("type") != "home":
        return refused("invalid_arguments")
    return {"ok": True, "view": workspace.publish_home(user_id, view).as_slack(workspace.app)}


def _whose(slack: StandInServer, body: Json, view: Json) -> str | Json:
    """Who acted, by the call's trigger id (good once); or the answer when the workspace never
    handed it out: `expired_trigger_id`, or where it takes the unseen, the view opened for no
    one it keeps."""
    workspace = slack.workspace
    user = workspace.triggers.pop(str(body.get("trigger_id")), None)
    if user is not None:
        return user
    if workspace.takes_the_unseen:
        return {"ok": True, "view": {**view, "id": workspace.new_id("V")}}
    return refused("expired_trigger_id")
