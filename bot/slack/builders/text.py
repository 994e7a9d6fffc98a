"""Small mrkdwn helpers shared by the builders: mentions, dates, escaping."""

from __future__ import annotations

from datetime import date, datetime

from slack_sdk.models.blocks import MarkdownTextObject, PlainTextObject


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def escape(text: str) -> str:
    """Slack's three control characters, so user text can't forge mentions or links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def day(value: date) -> str:
    return f"{value.strftime('%a')} {value.day} {value.strftime('%b %Y')}"


def moment(value: datetime) -> str:
    """A timestamp every reader sees in their own timezone, with a UTC fallback."""
    fallback = value.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(value.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def md(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text)


def plain(text: str) -> PlainTextObject:
    return PlainTextObject(text=text, emoji=True)


def clip(text: str, limit: int) -> str:
    """Shorten to `limit` characters, marking the cut, for Slack's hard field limits."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
