"""The check of each setting's value, as the settings (bot/settings.py) run them: what a good
value looks like, and what to fix when it is not. Blank values of the optional settings are
unset; lists are read from comma-separated variables.
"""

from __future__ import annotations

import re

from pydantic import SecretStr, ValidationInfo

from bot.domain.holidays import calendar_problem

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Where Slack sends the installer back after an OAuth install; SLACK_REDIRECT_URI points here.
OAUTH_REDIRECT_PATH = "/slack/oauth_redirect"
# A bot token as Slack issues them: xoxb-, then (today) the workspace's and the bot's numbers and
# a random part, joined by dashes. Only the alphabet and a length are checked: Slack may change
# the parts, and `auth.test` at start is the real check.
BOT_TOKEN_SHAPE = re.compile(r"xoxb-[0-9A-Za-z-]{20,}")


def database_url_shape(value: str) -> str:
    """DATABASE_URL names an async driver the bot runs on."""
    if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise ValueError(
            "must use an async driver: sqlite+aiosqlite:///path.db, or "
            "postgresql+asyncpg://user:password@host/database"
        )
    return value


def client_id_shape(value: str | None) -> str | None:
    """SLACK_CLIENT_ID is the app's Client ID; blank is unset."""
    if not value:
        return None
    if not re.fullmatch(r"\d+\.\d+", value):
        raise ValueError("must be the app's Client ID, such as 1234567890.1234567890")
    return value


def blank_client_secret_is_unset(value: SecretStr | None) -> SecretStr | None:
    """SLACK_CLIENT_SECRET set blank is unset."""
    return value if value is not None and value.get_secret_value() else None


def bot_token_shape(value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
    """SLACK_BOT_TOKEN is a whole bot token, set for one workspace and unset in OAuth mode."""
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


def signing_secret_shape(value: SecretStr) -> SecretStr:
    """SLACK_SIGNING_SECRET looks like the app's signing secret."""
    if not re.fullmatch(r"[0-9a-fA-F]{32,}", value.get_secret_value()):
        raise ValueError("must be the app's signing secret: 32 or more hexadecimal characters")
    return value


def app_token_shape(value: SecretStr | None) -> SecretStr | None:
    """SLACK_APP_TOKEN is an app-level token, or unset (blank included)."""
    if value is not None and not value.get_secret_value():
        return None
    if value is not None and not value.get_secret_value().startswith("xapp-"):
        raise ValueError("must be an app-level token starting with xapp- (or be left unset)")
    return value


def api_url_shape(value: str) -> str:
    """SLACK_API_URL is an http(s) URL, ending in a slash."""
    if not re.match(r"https?://", value):
        raise ValueError("must be an http(s) URL such as https://slack.com/api/")
    return value if value.endswith("/") else value + "/"


def webhook_url_shape(value: str | None) -> str | None:
    """WEBHOOK_URL is an http(s) URL; blank is unset."""
    if not value:
        return None
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
        raise ValueError("must be an http(s) URL such as https://hr.example.com/secondments")
    return value


def public_url_shape(value: str | None) -> str | None:
    """PUBLIC_URL is the address the bot is reached at, without a trailing slash."""
    if not value:
        return None
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
        raise ValueError(
            "must be the http(s) address the bot is reached at, with no query, such as "
            "https://secondments.example.com"
        )
    return value.rstrip("/")


def webhook_secret_shape(value: SecretStr | None) -> SecretStr | None:
    """WEBHOOK_SECRET is long enough to sign with; blank is unset."""
    if value is None or not value.get_secret_value():
        return None
    if len(value.get_secret_value()) < 16:
        raise ValueError("must be 16 or more characters, shared with the receiver only")
    return value


def scopes_list(value: object) -> tuple[str, ...]:
    """SLACK_SCOPES as bot scopes, from a comma-separated list."""
    scopes = comma_separated(value)
    for scope in scopes:
        if not re.fullmatch(r"[a-z][a-z_.]*(:[a-z_.]+)*", scope):
            raise ValueError(f"must be bot scopes separated by commas; {scope!r} is not one")
    if not scopes:
        raise ValueError("must name at least one bot scope, such as commands,chat:write")
    return scopes


def redirect_uri_shape(value: str | None) -> str | None:
    """SLACK_REDIRECT_URI is the bot's public OAuth redirect URL; blank is unset."""
    if not value:
        return None
    if not re.fullmatch(rf"https?://[^/\s]+{OAUTH_REDIRECT_PATH}", value):
        raise ValueError(
            f"must be the bot's public {OAUTH_REDIRECT_PATH} URL, such as "
            f"https://your-host.example.com{OAUTH_REDIRECT_PATH}"
        )
    return value


def hr_channel_shape(value: str | None) -> str | None:
    """HR_CHANNEL is a channel id; blank is unset."""
    if not value:
        return None
    if not re.fullmatch(r"[CG][A-Z0-9]{2,}", value):
        raise ValueError("must be a channel id such as C0123ABCD (not a #name)")
    return value


def hr_users_list(value: object) -> tuple[str, ...]:
    """HR_USERS as Slack user ids, from a comma-separated list."""
    users = comma_separated(value)
    for user in users:
        if not re.fullmatch(r"[UW][A-Z0-9]{2,}", user):
            raise ValueError(f"must be Slack user ids separated by commas; {user!r} is not one")
    return users


def working_days_list(value: object) -> frozenset[int]:
    """WORKING_DAYS as weekday numbers (Monday 0), from day names separated by commas."""
    if not isinstance(value, str):
        return frozenset(int(day) for day in value)  # type: ignore[attr-defined]
    names = [name.strip().lower()[:3] for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in WEEKDAYS]
    if unknown or not names:
        raise ValueError("must be day names separated by commas, such as mon,tue,wed,thu,fri")
    return frozenset(WEEKDAYS.index(name) for name in names)


def known_calendar(value: str) -> str:
    """HOLIDAYS names a calendar of the holidays library, in capitals; blank is none."""
    code = value.strip().upper()
    problem = calendar_problem(code) if code else None
    if problem:
        raise ValueError(f"must name a calendar of the holidays library: {problem}")
    return code


def comma_separated(value: object) -> tuple[str, ...]:
    """The items of a comma-separated variable (or of a list given in code), without blanks."""
    items = value.split(",") if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    return tuple(str(item).strip() for item in items if str(item).strip())
