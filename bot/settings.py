"""Every knob the bot has, read from the environment (and `.env` in development), checked at start.

A missing or malformed variable stops the bot with a message that names it; secret values are
held as `SecretStr` so they never reach a log line or a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticUndefined
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.domain.holidays import calendar_problem
from bot.logs import LogFormat

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
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
# Where Slack sends the installer back after an OAuth install; SLACK_REDIRECT_URI points here.
OAUTH_REDIRECT_PATH = "/slack/oauth_redirect"


# A bot token as Slack issues them: xoxb-, then (today) the workspace's and the bot's numbers and
# a random part, joined by dashes. Only the alphabet and a length are checked: Slack may change
# the parts, and `auth.test` at start is the real check.
BOT_TOKEN_SHAPE = re.compile(r"xoxb-[0-9A-Za-z-]{20,}")


class SettingsError(Exception):
    """The environment does not describe a runnable bot; the message names what to fix."""


class DatabaseSettings(BaseSettings):
    """The part of the settings that migrations need, so `alembic upgrade` runs without Slack."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    database_url: str = DEFAULT_DATABASE_URL
    # Connections each process keeps to the database; more transactions at once wait their turn.
    database_pool_size: int = Field(default=5, ge=1, le=100)

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "must use an async driver: sqlite+aiosqlite:///path.db, or "
                "postgresql+asyncpg://user:password@host/database"
            )
        return value


class Settings(DatabaseSettings):
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

    @field_validator("slack_client_id")
    @classmethod
    def _client_id_shape(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not re.fullmatch(r"\d+\.\d+", value):
            raise ValueError("must be the app's Client ID, such as 1234567890.1234567890")
        return value

    @field_validator("slack_client_secret")
    @classmethod
    def _blank_client_secret_is_unset(cls, value: SecretStr | None) -> SecretStr | None:
        return value if value is not None and value.get_secret_value() else None

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        token = value.get_secret_value() if value is not None else ""
        if info.data.get("slack_client_id") or info.data.get("slack_client_secret"):
            if token:
                raise ValueError(
                    "must be unset when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set: in OAuth "
                    "mode each workspace's bot token comes from its installation"
                )
            return None
        if not token:
            raise ValueError(
                "is required but not set (or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to let "
                "many workspaces install the app)"
            )
        if not token.startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        if not BOT_TOKEN_SHAPE.fullmatch(token):
            raise ValueError(
                "is not a whole bot token: copy all of the Bot User OAuth Token, xoxb- and the "
                "letters, digits and dashes after it"
            )
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

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url_shape(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
            raise ValueError("must be an http(s) URL such as https://hr.example.com/secondments")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url_shape(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError(
                "must be the http(s) address the bot is reached at, with no query, such as "
                "https://secondments.example.com"
            )
        return value.rstrip("/")

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if len(value.get_secret_value()) < 16:
            raise ValueError("must be 16 or more characters, shared with the receiver only")
        return value

    @field_validator("slack_scopes", mode="before")
    @classmethod
    def _scopes_list(cls, value: object) -> tuple[str, ...]:
        scopes = _comma_separated(value)
        for scope in scopes:
            if not re.fullmatch(r"[a-z][a-z_.]*(:[a-z_.]+)*", scope):
                raise ValueError(f"must be bot scopes separated by commas; {scope!r} is not one")
        if not scopes:
            raise ValueError("must name at least one bot scope, such as commands,chat:write")
        return scopes

    @field_validator("slack_redirect_uri")
    @classmethod
    def _redirect_uri_shape(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not re.fullmatch(rf"https?://[^/\s]+{OAUTH_REDIRECT_PATH}", value):
            raise ValueError(
                f"must be the bot's public {OAUTH_REDIRECT_PATH} URL, such as "
                f"https://your-host.example.com{OAUTH_REDIRECT_PATH}"
            )
        return value

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
        users = _comma_separated(value)
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

    @field_validator("holidays")
    @classmethod
    def _known_calendar(cls, value: str) -> str:
        code = value.strip().upper()
        problem = calendar_problem(code) if code else None
        if problem:
            raise ValueError(f"must name a calendar of the holidays library: {problem}")
        return code

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


def _comma_separated(value: object) -> tuple[str, ...]:
    """The items of a comma-separated variable (or of a list given in code), without blanks."""
    items = value.split(",") if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    return tuple(str(item).strip() for item in items if str(item).strip())


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one line per wrong variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise _plainly(exc) from None


def load_database_settings() -> DatabaseSettings:
    """Read only what migrations need, with the same one line per wrong variable."""
    try:
        return DatabaseSettings()
    except ValidationError as exc:
        raise _plainly(exc) from None


# An example of a good value for the settings whose default is none (the others show theirs).
EXAMPLES = {
    "database_url": "postgresql+asyncpg://bot:password@db.internal/secondments",
    "slack_bot_token": "xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
    "slack_signing_secret": "0123456789abcdef0123456789abcdef (Basic Information, App Credentials)",
    "slack_app_token": "xapp-1-A0123456789-1234567890123-abcdef0123456789",
    "slack_client_id": "1234567890.1234567890123",
    "slack_client_secret": "0123456789abcdef0123456789abcdef",
    "slack_redirect_uri": "https://bot.example.com/slack/oauth_redirect",
    "hr_channel": "C0123456789",
    "hr_users": "U0123456789,U0987654321",
    "working_days": "mon,tue,wed,thu,fri",
    "holidays": "GB-ENG (or US-CA, DE-BY)",
    "slack_scopes": "chat:write,commands,im:write,users:read (the manifest's list)",
    "hr_can_override": "true",
    "webhook_url": "https://hr.example.com/hooks/secondments",
    "webhook_secret": "a long random string, shared with the receiver only",
    "public_url": "https://secondments.example.com",
    "policy_max_term_months": "24",
    "policy_max_extension_months": "6",
    "policy_extension_notice_weeks": "6",
    "policy_open_ended_review_months": "12",
}


def _problem(error: ErrorDetails) -> str:
    """What is wrong, in plain words."""
    bounds = {k: _plain_number(v) for k, v in (error.get("ctx") or {}).items()}
    match error["type"]:
        case "missing":
            return "is required but not set"
        case "int_parsing" | "int_from_float" | "int_type":
            return "must be a whole number"
        case "float_parsing" | "float_type":
            return "must be a number"
        case "bool_parsing" | "bool_type":
            return "must be true or false"
        case "greater_than_equal":
            return f"must be at least {bounds.get('ge')}"
        case "less_than_equal":
            return f"must be at most {bounds.get('le')}"
        case "greater_than":
            return f"must be more than {bounds.get('gt')}"
        case "less_than":
            return f"must be less than {bounds.get('lt')}"
        case "literal_error" | "enum":
            return f"must be one of {bounds.get('expected')}"
        case _:
            return str(error["msg"]).removeprefix("Value error, ")


def _plain_number(value: object) -> object:
    """5.0 as 5: a bound reads as the operator would write it."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _example(name: str) -> str | None:
    if name in EXAMPLES:
        return EXAMPLES[name]
    field = Settings.model_fields.get(name)
    if field is None or field.default in (None, PydanticUndefined):
        return None
    default = field.default
    return ",".join(default) if isinstance(default, tuple) else str(default)


def _plainly(exc: ValidationError) -> SettingsError:
    """One line per wrong variable: its name, what is wrong, and an example of a good value.
    The value given is not repeated: it may be a secret, or a URL with a password in it."""
    lines = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        name = field.upper()
        example = _example(field)
        hint = f" For example: {name}={example}" if example else ""
        lines.append(f"{name} {_problem(error).rstrip('.')}.{hint}".strip())
    return SettingsError("Configuration error:\n  " + "\n  ".join(lines))
