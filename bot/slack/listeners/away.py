"""Time away: `/secondment away` and the App Home's button open the form; it is saved, or an
absence cancelled, and the form (or the Home it was opened from) shows the list as it stands."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.absences import AwayChanged
from bot.domain.errors import InvalidInput
from bot.services.absences import add_absence, cancel_absence, time_away
from bot.slack.builders.away import FROM_HOME, build_away_modal, build_away_saved
from bot.slack.builders.home_limits import DEFAULT_LIMITS
from bot.slack.delivery import deliver_now
from bot.slack.deps import Deps
from bot.slack.ids import Action, AwayField, Callback
from bot.slack.listeners.acting import acting
from bot.slack.listeners.context import button_value
from bot.slack.listeners.errors import answered, answered_in_modal
from bot.slack.listeners.home import show_home
from bot.slack.parsing import parse_away_form, parse_number

SLACK_SLOW = (
    "Slack is slow to answer just now, so this is not saved yet. Submit it again in a moment."
)


def register(app: AsyncApp, deps: Deps) -> None:
    """Wire the time-away buttons and the form's submission to their handlers."""
    app.action(Action.AWAY_OPEN)(answered(partial(handle_away_open_action, deps)))
    app.view(Callback.AWAY)(answered_in_modal(partial(handle_away_submission, deps)))
    app.action(Action.AWAY_CANCEL)(answered(partial(handle_away_cancel_action, deps)))


async def handle_away_open_action(
    deps: Deps,
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Open the time-away form from the App Home."""
    await ack()
    await open_away_form(deps, client, context, body["trigger_id"], from_home=True)


async def handle_away_submission(
    deps: Deps,
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Save the time away entered, once Slack says who the person and their delegate are."""
    form = parse_away_form(view["state"]["values"])
    team, user = acting(context).team_id, acting(context).user_id
    wanted = [user, *([form.delegate_id] if form.delegate_id else [])]
    people = await deps.directory.people_in_time(client, team, wanted)
    if people is None or user not in people:
        raise InvalidInput({AwayField.FIRST_DAY: SLACK_SLOW})
    changed = await add_absence(
        deps.sessions,
        person=people[user],
        form=form,
        delegate=people.get(form.delegate_id or ""),
        announce=deps.say.away,
        actor=acting(context).actor(),
    )
    from_home = view.get("private_metadata") == FROM_HOME
    await ack(response_action="update", view=build_away_saved(changed.ahead, from_home=from_home))
    await deliver_handed(client, deps, changed)
    if from_home:
        await show_home(deps, client, context, DEFAULT_LIMITS)


async def handle_away_cancel_action(
    deps: Deps,
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Cancel one absence, and show the list as it now stands."""
    await ack()
    absence_id = parse_number(button_value(body))
    if absence_id is None:
        return  # not a button of ours: nothing to cancel
    changed = await cancel_absence(
        deps.sessions, absence_id=absence_id, announce=deps.say.away, actor=acting(context).actor()
    )
    await deliver_handed(client, deps, changed)
    await _show_cancelled(deps, client, context, body, changed)


async def _show_cancelled(
    deps: Deps,
    client: AsyncWebClient,
    context: AsyncBoltContext,
    body: dict[str, Any],
    changed: AwayChanged,
) -> None:
    # Cancel is on the form: it shows the list as it now stands. (No hash: a second click,
    # or a click on a form already redrawn, shows the same.)
    view = body.get("view") or {}
    from_home = view.get("private_metadata") == FROM_HOME
    await client.views_update(
        view_id=view["id"],
        view=build_away_saved(changed.ahead, cancelled=True, from_home=from_home),
    )
    if from_home:
        await show_home(deps, client, context, DEFAULT_LIMITS)


async def deliver_handed(client: AsyncWebClient, deps: Deps, changed: AwayChanged) -> None:
    """Send what the hand-overs said, each request's in turn."""
    for handed in changed.handed:
        await deliver_now(client, deps, handed.record)


async def open_away_form(
    deps: Deps,
    client: AsyncWebClient,
    context: AsyncBoltContext,
    trigger_id: str,
    *,
    from_home: bool = False,
) -> None:
    """Open the time-away form, above the time away already entered."""
    ahead, today = await time_away(
        deps.sessions,
        team_id=acting(context).team_id,
        person_id=acting(context).user_id,
        now=deps.clock.now(),
    )
    view = build_away_modal(ahead, today, from_home=from_home)
    await client.views_open(trigger_id=trigger_id, view=view)
