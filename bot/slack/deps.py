"""What the listeners need besides the Slack payload, handed to each `register(app, deps)`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db import Sessions
from bot.domain.policy import Policy
from bot.settings import Settings


@dataclass(frozen=True, slots=True)
class Deps:
    sessions: Sessions
    policy: Policy


def policy_from(settings: Settings) -> Policy:
    return Policy(
        min_term_days=settings.min_term_days,
        return_rights_months=settings.return_rights_months,
        block_reason_min_chars=settings.block_reason_min_chars,
    )
