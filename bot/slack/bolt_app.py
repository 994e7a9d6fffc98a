"""Building the Bolt AsyncApp: signature verification on, the configured client, all listeners;
in OAuth mode also the installation flow, and each request authorized with its workspace's
stored bot token."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings
from bot.slack.client import make_web_client
from bot.slack.deps import Deps
from bot.slack.listeners import register_all
from bot.slack.workspaces import oauth_settings


def build_bolt_app(
    settings: Settings, deps: Deps, client: AsyncWebClient | None = None
) -> AsyncApp:
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    client = client or make_web_client(token, settings.slack_api_url)
    workspaces = deps.workspaces
    app = AsyncApp(
        client=client,
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        request_verification_enabled=True,
        # OAuth mode. Bolt makes its calls (oauth.v2.access, auth.test) and each request's client
        # from `client`, so they go to SLACK_API_URL with its retries.
        installation_store=workspaces.installations if workspaces else None,
        installation_store_bot_only=True,  # the app installs a bot, never user tokens
        oauth_settings=oauth_settings(settings, workspaces) if workspaces else None,
    )
    register_all(app, deps)
    return app
