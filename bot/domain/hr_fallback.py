"""HR as the fallback approver: a side handed to HR because its decider's account is gone.

Read by bot/services/hr_fallback.py, drawn by bot/slack/builders/fallback.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.record import SecondmentRecord
from bot.domain.states import Side

# How the bot learnt it: Slack's `user_change` event; otherwise Slack's error on a reminder.
DEACTIVATED = "account deactivated"
GONE = "user_not_found"


@dataclass(frozen=True, slots=True)
class ToHr:
    """A side handed to HR: whose deactivated account decided it, and how the bot learnt."""

    record: SecondmentRecord
    side: Side
    decider_id: str
    reason: str
