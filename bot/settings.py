"""Every knob the bot has, read from the environment (and `.env` in development), checked at start.

A missing or malformed variable stops the bot with a message that names it (each value's check
is in bot/setting_checks.py, the message's words in bot/setting_errors.py); secret values are
held as `SecretStr` so they never reach a log line or a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.logs import LogFormat
from bot.setting_checks import (
    api_url_shape,
    app_token_shape,
    blank_client_secret_is_unset,
    bot_token_shape,
    client_id_shape,
    database_url_shape,
    hr_channel_shape,
    hr_users_list,
    known_calendar,
    public_url_shape,
    redirect_uri_shape,
    scopes_list,
    signing_secret_shape,
    webhook_secret_shape,
    webhook_url_shape,
    working_days_list,
)
from bot.setting_errors import plainly

DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{Path.cwd() / 'secondments.db'}"
# The bot scopes of manifest.json, which an OAuth install asks for unless SLACK_SCOPES says else.
BOT_SCOPES = (
    "channels:history",
    "channels:read",
    "chat:write",
    "commands",
    "files:write",
    "groups:history",
    "groups:read",
    "im:history",
    "im:write",
    "mpim:history",
    "mpim:write",
    "users:read",
)


class SettingsError(Exception):
    """The environment does not describe a runnable bot; the message names what to fix."""


class DatabaseSettings(BaseSettings):
    """The part of the settings that migrations need, so `alembic upgrade` runs without Slack."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    database_url: str = DEFAULT_DATABASE_URL
    # Connections each process keeps to the database; more transactions at once wait their turn.
    database_pool_size: int = Field(default=5, ge=1, le=100)

    _database_url_shape = field_validator("database_url")(database_url_shape)


class Settings(DatabaseSettings):
    """Every setting of the bot, each checked as it is read (bot/setting_checks.py)."""

    # Both set: OAuth mode, where any workspace can install the app and each request uses its
    # workspace's stored bot token. Neither: one workspace, with SLACK_BOT_TOKEN. Declared before
    # the bot token, whose check depends on them.
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_bot_token: SecretStr | None = Field(default=None, validate_default=True)
    slack_signing_secret: SecretStr
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_scopes: Annotated[tuple[str, ...], NoDecode] = BOT_SCOPES
    slack_redirect_uri: str | None = None
    port: int = Field(default=3000, ge=1, le=65535)
    log_level: str = "INFO"
    log_format: LogFormat = "text"

    # Policy: the examples in docs/DOMAIN.md, each one configurable.
    min_term_days: int = Field(default=14, ge=1)
    return_rights_months: int = Field(default=12, ge=1)
    block_reason_min_chars: int = Field(default=20, ge=1, le=500)

    # HR: where escalations go, who may act as HR, and whether HR may override a block.
    hr_channel: str | None = None
    hr_users: Annotated[tuple[str, ...], NoDecode] = ()
    hr_can_override: bool = False

    # Reminders for pending decisions, in working days, sent at the start of the working day
    # in the recipient's own timezone.
    reminder_after_working_days: int = Field(default=3, ge=1, le=30)
    escalate_after_working_days: int = Field(default=7, ge=1, le=60)
    working_days: Annotated[frozenset[int], NoDecode] = frozenset(range(5))
    # The public holidays that are not working days either, as the holidays library names a
    # calendar (GB-ENG, US-CA, DE-BY); empty for none.
    holidays: str = ""
    workday_start_hour: int = Field(default=9, ge=0, le=23)
    sweep_interval_seconds: float = Field(default=5.0, gt=0, le=3600)
    # Sending due nudges: how many Slack calls may be on their way at once, and at most how many
    # a second (0: no cap), under Slack's workspace-wide posting limit.
    send_concurrency: int = Field(default=4, ge=1, le=50)
    send_rate_per_second: float = Field(default=10.0, ge=0, le=1000)
    check_in_every_weeks: int = Field(default=2, ge=1, le=26)
    early_end_notice_weeks: int = Field(default=2, ge=0, le=26)
    follow_up_after_days: int = Field(default=30, ge=1, le=365)
    # The end-of-term question (return, extend or move permanently), in days before the end.
    end_decision_days: int = Field(default=30, ge=1, le=180)
    end_decision_reminder_days: int = Field(default=7, ge=1, le=180)
    # HR's written rules (bot/domain/hr_rules.py), each off unless set: the longest term and
    # extension in months, how many weeks before the end an extension is proposed at the
    # latest, and the length after which a secondment is reviewed as a permanent move.
    policy_max_term_months: int | None = Field(default=None, ge=1, le=120)
    policy_max_extension_months: int | None = Field(default=None, ge=1, le=60)
    policy_extension_notice_weeks: int | None = Field(default=None, ge=1, le=52)
    policy_open_ended_review_months: int | None = Field(default=None, ge=1, le=120)
    # Retention: years after a secondment closes before its personal data goes, and how.
    retention_years: int = Field(default=6, ge=1, le=100)
    retention_action: Literal["anonymise", "delete"] = "anonymise"
    # The HR system's webhook: every state change is POSTed to it as a CloudEvents event,
    # signed with the secret (bot/webhook.py). Both set, or neither.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    # Where people's calendar apps reach the bot, such as https://secondments.example.com: the
    # base of each person's calendar feed URL (`/secondment calendar`). Unset: no feeds.
    public_url: str | None = None

    # Each value's check (bot/setting_checks.py); the settings that go together are checked below.
    _client_id_shape = field_validator("slack_client_id")(client_id_shape)
    _client_secret_shape = field_validator("slack_client_secret")(blank_client_secret_is_unset)
    _bot_token_shape = field_validator("slack_bot_token")(bot_token_shape)
    _signing_secret_shape = field_validator("slack_signing_secret")(signing_secret_shape)
    _app_token_shape = field_validator("slack_app_token")(app_token_shape)
    _api_url_shape = field_validator("slack_api_url")(api_url_shape)
    _webhook_url_shape = field_validator("webhook_url")(webhook_url_shape)
    _public_url_shape = field_validator("public_url")(public_url_shape)
    _webhook_secret_shape = field_validator("webhook_secret")(webhook_secret_shape)
    _scopes_list = field_validator("slack_scopes", mode="before")(scopes_list)
    _redirect_uri_shape = field_validator("slack_redirect_uri")(redirect_uri_shape)
    _hr_channel_shape = field_validator("hr_channel")(hr_channel_shape)
    _hr_users_list = field_validator("hr_users", mode="before")(hr_users_list)
    _working_days_list = field_validator("working_days", mode="before")(working_days_list)
    _known_calendar = field_validator("holidays")(known_calendar)

    @model_validator(mode="after")
    def _oauth_credentials_together(self) -> Settings:
        if (self.slack_client_id is None) != (self.slack_client_secret is None):
            raise ValueError(
                "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together: set both for OAuth mode, "
                "or neither for one workspace with SLACK_BOT_TOKEN"
            )
        return self

    @model_validator(mode="after")
    def _webhook_together(self) -> Settings:
        if (self.webhook_url is None) != (self.webhook_secret is None):
            raise ValueError(
                "WEBHOOK_URL and WEBHOOK_SECRET go together: the receiver checks every event's "
                "signature, so set both, or neither to send no events"
            )
        return self

    @model_validator(mode="after")
    def _escalation_after_reminders(self) -> Settings:
        if self.escalate_after_working_days <= self.reminder_after_working_days:
            raise ValueError(
                "ESCALATE_AFTER_WORKING_DAYS must be more than REMINDER_AFTER_WORKING_DAYS: "
                "managers are reminded before HR is told"
            )
        return self

    @model_validator(mode="after")
    def _end_decision_reminder_nearer(self) -> Settings:
        if self.end_decision_reminder_days >= self.end_decision_days:
            raise ValueError(
                "END_DECISION_REMINDER_DAYS must be fewer than END_DECISION_DAYS: the second "
                "ask comes nearer the end than the first"
            )
        return self

    @property
    def socket_mode(self) -> bool:
        """Slack reaches the bot over a WebSocket (SLACK_APP_TOKEN), not over HTTP."""
        return self.slack_app_token is not None

    @property
    def oauth_mode(self) -> bool:
        """Many workspaces install the app through /slack/install (SLACK_CLIENT_ID and _SECRET)."""
        return self.slack_client_id is not None

    def secret_values(self) -> tuple[str, ...]:
        """The value of every secret setting, for the logs to blank out wherever it appears."""
        return tuple(
            value.get_secret_value()
            for name in type(self).model_fields
            if isinstance(value := getattr(self, name), SecretStr) and value.get_secret_value()
        )


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one line per wrong variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError(plainly(exc, Settings.model_fields)) from None


def load_database_settings() -> DatabaseSettings:
    """Read only what migrations need, with the same one line per wrong variable."""
    try:
        return DatabaseSettings()
    except ValidationError as exc:
        raise SettingsError(plainly(exc, Settings.model_fields)) from None
