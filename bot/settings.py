"""Every knob the bot has, read from the environment (and `.env` in development), checked at start.

A missing or malformed variable stops the bot with a message that names it; secret values are
held as `SecretStr` so they never reach a log line or a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
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

    # HR: where escalations go, who may act as HR, and whether HR may override a block.
    hr_channel: str | None = None
    hr_users: Annotated[tuple[str, ...], NoDecode] = ()
    hr_can_override: bool = False

    # Reminders for pending decisions, in working days, sent at the start of the working day
    # in the recipient's own timezone.
    reminder_after_working_days: int = Field(default=3, ge=1, le=30)
    escalate_after_working_days: int = Field(default=7, ge=1, le=60)
    working_days: Annotated[frozenset[int], NoDecode] = frozenset(range(5))
    workday_start_hour: int = Field(default=9, ge=0, le=23)
    sweep_interval_seconds: float = Field(default=5.0, gt=0, le=3600)
    check_in_every_weeks: int = Field(default=2, ge=1, le=26)
    early_end_notice_weeks: int = Field(default=2, ge=0, le=26)
    follow_up_after_days: int = Field(default=30, ge=1, le=365)
    # The end-of-term question (return, extend or move permanently), in days before the end.
    end_decision_days: int = Field(default=30, ge=1, le=180)
    end_decision_reminder_days: int = Field(default=7, ge=1, le=180)
    # Retention: years after a secondment closes before its personal data goes, and how.
    retention_years: int = Field(default=6, ge=1, le=100)
    retention_action: Literal["anonymise", "delete"] = "anonymise"

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

    @field_validator("hr_channel")
    @classmethod
    def _hr_channel_shape(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not re.fullmatch(r"[CG][A-Z0-9]{2,}", value):
            raise ValueError("must be a channel id such as C0123ABCD (not a #name)")
        return value

    @field_validator("hr_users", mode="before")
    @classmethod
    def _hr_users_list(cls, value: object) -> tuple[str, ...]:
        items = value.split(",") if isinstance(value, str) else list(value)  # type: ignore[call-overload]
        users = tuple(str(item).strip() for item in items if str(item).strip())
        for user in users:
            if not re.fullmatch(r"[UW][A-Z0-9]{2,}", user):
                raise ValueError(f"must be Slack user ids separated by commas; {user!r} is not one")
        return users

    @field_validator("working_days", mode="before")
    @classmethod
    def _working_days_list(cls, value: object) -> frozenset[int]:
        if not isinstance(value, str):
            return frozenset(int(day) for day in value)  # type: ignore[attr-defined]
        names = [name.strip().lower()[:3] for name in value.split(",") if name.strip()]
        unknown = [name for name in names if name not in WEEKDAYS]
        if unknown or not names:
            raise ValueError("must be day names separated by commas, such as mon,tue,wed,thu,fri")
        return frozenset(WEEKDAYS.index(name) for name in names)

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
        return self.slack_app_token is not None


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one line per wrong variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else ""
            problem = (
                "is required but not set"
                if error["type"] == "missing"
                else error["msg"].removeprefix("Value error, ")
            )
            lines.append(f"{name} {problem}".strip())
        raise SettingsError("Configuration error:\n  " + "\n  ".join(lines)) from None
