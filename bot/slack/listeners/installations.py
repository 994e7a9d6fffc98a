"""Slack saying the app lost a workspace: `app_uninstalled`, and `tokens_revoked`. In OAuth mode
the workspace's stored installation goes, so nothing is sent with a dead token; in both modes the
audit trail records it. Bolt authorizes these two events without a token (it may be gone)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from bot.services.installations import forget_revoked, forget_uninstalled
from bot.slack.deps import Deps
from bot.slack.ids import Event
from bot.slack.listeners.errors import answered
from bot.slack.parsing import parse_revoked_tokens


def register(app: AsyncApp, deps: Deps) -> None:
    """Listen for Slack's news that the app lost a workspace or its tokens."""
    store = deps.workspaces.installations if deps.workspaces else None

    @app.event(Event.APP_UNINSTALLED)
    @answered
    async def handle_app_uninstalled_event(context: AsyncBoltContext) -> None:
        """Forget the workspace's installation, and record that the app was uninstalled."""
        await forget_uninstalled(
            deps.sessions,
            store,
            enterprise_id=context.enterprise_id,
            team_id=context.team_id,
            now=deps.clock.now(),
        )

    @app.event(Event.TOKENS_REVOKED)
    @answered
    async def handle_tokens_revoked_event(event: dict[str, Any], context: AsyncBoltContext) -> None:
        """Forget the revoked tokens, and record that they were revoked."""
        revoked = parse_revoked_tokens(event)
        await forget_revoked(
            deps.sessions,
            store,
            enterprise_id=context.enterprise_id,
            team_id=context.team_id,
            user_ids=revoked.user_ids,
            bot_revoked=revoked.bot,
            now=deps.clock.now(),
        )
