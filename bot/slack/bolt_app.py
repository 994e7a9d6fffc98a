"""Building the Bolt AsyncApp: signature verification on, the configured client, all listeners;
in OAuth mode also the installation flow, and each request authorized with its workspace's
stored bot token."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.logger import get_bolt_logger
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk.web.async_client import AsyncWebClient

from bot.services.pauses import resume
from bot.settings import Settings
from bot.slack.client import make_web_client
from bot.slack.deps import Deps
from bot.slack.listeners import register_all
from bot.slack.workspaces import oauth_settings

SLACK_NOT_ANSWERING = "Slack is not answering the bot right now; please try again in a minute."


class _NoUnusedTokenWarning(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment even when it is given a client, then warns
    at every start that the token goes unused. The client it is given carries that same token,
    so the warning would only send an operator looking for a fault."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Drop Bolt's warning that the environment's token goes unused."""
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


class _NoBodyInUnhandledWarning(logging.Filter):
    """Bolt's warning about a request no listener takes quotes the request's fields (ids,
    commands, callback ids), which the sender chose, newlines included; a log line must carry
    no body, so the warning is kept without them."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep Bolt's warning about an unhandled request, without the request's fields."""
        if record.getMessage().startswith("Unhandled request"):
            record.msg, record.args = (
                "Unhandled request: no listener takes it (body not logged)",
                (),
            )
        return True


def _quiet_bolt_warnings() -> None:
    bolt_logger = get_bolt_logger(AsyncApp)
    for kind in (_NoUnusedTokenWarning, _NoBodyInUnhandledWarning):
        if not any(isinstance(f, kind) for f in bolt_logger.filters):
            bolt_logger.addFilter(kind())


def build_bolt_app(
    settings: Settings, deps: Deps, client: AsyncWebClient | None = None
) -> AsyncApp:
    """The Bolt app that serves Slack's requests, with every listener registered."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    client = client or make_web_client(token, settings.slack_api_url)
    workspaces = deps.workspaces
    _quiet_bolt_warnings()

    async def installed(team_id: str) -> None:
        """Resume a workspace's paused nudges once it installs the bot again."""
        # A reinstall brings a token Slack accepts: the workspace's waiting nudges go out.
        await resume(deps.sessions, team_id=team_id, why="installed", now=deps.clock.now())

    app = AsyncApp(
        # Named here, Bolt need not look the caller up on the stack, which costs a tenth of a
        # second each time an app is built (every test builds one).
        name="secondment-mediator",
        client=client,
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        request_verification_enabled=True,
        # OAuth mode. Bolt makes its calls (oauth.v2.access, auth.test) and each request's client
        # from `client`, so they go to SLACK_API_URL with its retries.
        installation_store=workspaces.installations if workspaces else None,
        installation_store_bot_only=True,  # the app installs a bot, never user tokens
        oauth_settings=oauth_settings(settings, workspaces, installed) if workspaces else None,
        # One workspace: the token was confirmed at start, so a failed check now means Slack is
        # not answering (Bolt's own words would say the installation is gone).
        user_facing_authorize_error_message=None if workspaces else SLACK_NOT_ANSWERING,
    )
    register_all(app, deps)
    return app
