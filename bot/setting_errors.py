"""A settings error in plain words, as the operator reads it when the bot will not start: one line
per wrong variable, with what is wrong and an example of a good value.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails, PydanticUndefined

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


def _example(name: str, fields: Mapping[str, FieldInfo]) -> str | None:
    """An example of a good value: the one given above, else the setting's default."""
    if name in EXAMPLES:
        return EXAMPLES[name]
    field = fields.get(name)
    if field is None or field.default in (None, PydanticUndefined):
        return None
    default = field.default
    return ",".join(default) if isinstance(default, tuple) else str(default)


def plainly(exc: ValidationError, fields: Mapping[str, FieldInfo]) -> str:
    """One line per wrong variable: its name, what is wrong, and an example of a good value
    (`fields` gives the defaults). The value given is not repeated: it may be a secret, or a URL
    with a password in it."""
    lines = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        name = field.upper()
        example = _example(field, fields)
        hint = f" For example: {name}={example}" if example else ""
        lines.append(f"{name} {_problem(error).rstrip('.')}.{hint}".strip())
    return "Configuration error:\n  " + "\n  ".join(lines)
