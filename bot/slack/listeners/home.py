"""The App Home tab: published when a person opens it and when they ask a section for more;
again, through the outbox (bot/slack/announce.py), after they decide a side from it. Its
decision buttons are the thread's own, handled in `actions`; a click there carries no channel
or response URL, and needs none."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.home_view import HomeSection
from bot.services.home import load_home
from bot.slack.builders.home import build_home
from bot.slack.builders.home_limits import DEFAULT_LIMITS, show_more
from bot.slack.deps import Deps
from bot.slack.ids import Action, Event
from bot.slack.listeners.acting import acting
from bot.slack.listeners.context import button_value
from bot.slack.listeners.errors import answered
from bot.slack.publish import publish_home


def register(app: AsyncApp, deps: Deps) -> None:
    """Listen for the App Home being opened, and for its Show more buttons."""

    @app.event(Event.APP_HOME_OPENED)
    @answered
    async def handle_app_home_opened_event(
        event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        """Publish the person's Home when they open its tab."""
        if event.get("tab") != "home":  # opening the Messages tab sends the same event
            return
        await show_home(deps, client, context, DEFAULT_LIMITS)

    @app.action(Action.HOME_SHOW_MORE)
    @answered
    async def handle_home_show_more_action(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        """Publish the Home again with one section showing more."""
        await ack()
        shown = str((body.get("view") or {}).get("private_metadata") or "")
        await show_home(deps, client, context, show_more(shown, button_value(body)))


async def show_home(
    deps: Deps,
    client: AsyncWebClient,
    context: AsyncBoltContext,
    limits: Mapping[HomeSection, int],
) -> None:
    """Load and publish the clicker's Home; HR's sections only if HR says they are HR."""
    user = acting(context).user_id
    home = await load_home(deps.sessions, limits=limits, actor=await acting(context).as_hr(client))
    await publish_home(client, user, build_home(home, limits, user))
