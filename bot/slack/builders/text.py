"""Small mrkdwn helpers shared by the builders: mentions, dates, escaping."""

from __future__ import annotations

import re
from datetime import date, datetime

from slack_sdk.models.blocks import MarkdownTextObject, PlainTextObject

from bot.domain.days import written_day

_PARTIAL_ENTITY = re.compile(r"&[a-z]*$")


# A delivery that failed through a fault of the bot's own, not Slack's (bot/slack/batches.py).
BOT_ERROR = "bot_error"


def slack_said(error: str) -> str:
    """Why a delivery failed, for the people told: Slack's error code, or the bot's own fault."""
    if error == BOT_ERROR:
        return "the bot hit a fault of its own, which is logged"
    return f"Slack said `{error}`"


def mention(user_id: str) -> str:
    """A mention of a person, which Slack shows as their name."""
    return f"<@{user_id}>"


def escape(text: str, limit: int | None = None) -> str:
    """User text made safe for mrkdwn: Slack's three control characters escaped, so nobody can
    forge a mention or a link. With `limit`, the escaped text (which can be up to five times
    longer than what was typed) is cut to fit, never inside an `&amp;`-style entity."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if limit is None or len(escaped) <= limit:
        return escaped
    return _PARTIAL_ENTITY.sub("", escaped[: limit - 1]) + "…"


def day(value: date) -> str:
    """A calendar day as people read it ("Mon 4 Jan 2027")."""
    return written_day(value)


def on_the_day(value: date, late: bool, present: str, past: str) -> str:
    """`present` "today" in a message that arrives on its day, else `past` "on" the day: words
    that stay true when a message arrives late."""
    return f"{past} on {day(value)}" if late else f"{present} today"


def every_weeks(weeks: int) -> str:
    """ "every week", or "every 3 weeks"."""
    return "every week" if weeks == 1 else f"every {weeks} weeks"


def moment(value: datetime) -> str:
    """A timestamp every reader sees in their own timezone, with a UTC fallback."""
    fallback = value.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(value.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def md(text: str) -> MarkdownTextObject:
    """Text shown as mrkdwn."""
    return MarkdownTextObject(text=text)


def plain(text: str) -> PlainTextObject:
    """Text shown as it is, emoji included."""
    return PlainTextObject(text=text, emoji=True)
