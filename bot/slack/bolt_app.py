"""Building the Bolt AsyncApp: signature verification on, the configured client, all listeners."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings
from bot.slack.client import make_web_client
from bot.slack.deps import Deps
from bot.slack.listeners import register_all
from bot.slack.middleware import assign_correlation_id


def build_bolt_app(
    settings: Settings, deps: Deps, client: AsyncWebClient | None = None
) -> AsyncApp:
    client = client or make_web_client(
        settings.slack_bot_token.get_secret_value(), settings.slack_api_url
    )
    app = AsyncApp(
        client=client,
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        request_verification_enabled=True,
    )
    app.use(assign_correlation_id)
    register_all(app, deps)
    return app
