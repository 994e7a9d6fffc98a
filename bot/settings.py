"""Every knob the bot has, read from the environment (and `.env` in development), checked at start.

A missing or malformed variable stops the bot with a message that names it; secret values are
held as `SecretStr` so they never reach a log line or a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{Path.cwd() / 'secondments.db'}"


class SettingsError(Exception):
    """The environment does not describe a runnable bot; the message names what to fix."""


class DatabaseSettings(BaseSettings):
    """The part of the settings that migrations need, so `alembic upgrade` runs without Slack."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    database_url: str = DEFAULT_DATABASE_URL

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "must use an async driver: sqlite+aiosqlite:///path.db or postgresql+asyncpg://..."
            )
        return value


class Settings(DatabaseSettings):
    slack_bot_token: SecretStr
    slack_signing_secret: SecretStr
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    port: int = Field(default=3000, ge=1, le=65535)
    log_level: str = "INFO"

    # Policy: the examples in DOMAIN.md, each one configurable.
    min_term_days: int = Field(default=14, ge=1)
    return_rights_months: int = Field(default=12, ge=1)
    block_reason_min_chars: int = Field(default=20, ge=1, le=500)

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("slack_signing_secret")
    @classmethod
    def _signing_secret_shape(cls, value: SecretStr) -> SecretStr:
        if not re.fullmatch(r"[0-9a-fA-F]{32,}", value.get_secret_value()):
            raise ValueError("must be the app's signing secret: 32 or more hexadecimal characters")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value():
            return None
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp- (or be left unset)")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        if not re.match(r"https?://", value):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one line per wrong variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "settings"
            problem = (
                "is required but not set"
                if error["type"] == "missing"
                else error["msg"].removeprefix("Value error, ")
            )
            lines.append(f"{name} {problem}")
        raise SettingsError("Configuration error:\n  " + "\n  ".join(lines)) from None
