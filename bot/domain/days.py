"""How a calendar day is written wherever people read one: "Mon 4 Jan 2027" (a day, not an
instant, so never a Slack date token: see bot/slack/builders/text.py `moment`)."""

from __future__ import annotations

from datetime import date


def written_day(value: date) -> str:
    """The day as people read it in messages, such as "Mon 4 Jan 2027"."""
    return f"{value.strftime('%a')} {value.day} {value.strftime('%b %Y')}"
