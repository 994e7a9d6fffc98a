"""What the listeners need besides the Slack payload, handed to each `register(app, deps)`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from bot.clock import Clock, SystemClock
from bot.db import Sessions
from bot.domain.holidays import PublicHolidays
from bot.domain.hr_rules import HrRules
from bot.domain.policy import Policy
from bot.metrics import Metrics
from bot.settings import Settings
from bot.slack.announce import Announcements
from bot.slack.directory import Directory
from bot.slack.hr import HrDesk
from bot.slack.pacing import Pace, Sending
from bot.slack.workspaces import Workspaces


@dataclass(frozen=True, slots=True)
class Deps:
    """Everything a listener, the delivery and the sweep need, built once at start."""

    sessions: Sessions
    policy: Policy
    hr: HrDesk
    metrics: Metrics = field(default_factory=Metrics)
    # OAuth mode: the installed workspaces and their bot tokens; None with one workspace.
    workspaces: Workspaces | None = None
    sending: Sending = field(default_factory=Sending)
    # Where every listener, delivery and the sweep read "now"; a stand-in can move it.
    clock: Clock = field(default_factory=SystemClock)
    # What Slack said about people lately, for the forms that must answer within 3 s.
    directory: Directory = field(default_factory=Directory)
    # The changes listeners make after their answer (a click's decision), one at a time in the
    # process: in a burst of clicks every answer goes out first, instead of waiting on the
    # event loop behind the work of the clicks already answered. (SQLite takes one writer at
    # a time anyway; what the changes say is sent apart, `sending.concurrency` at a time.)
    # Taken through bot/slack/listeners/context.py `changing`, once the answer is on its way.
    changing: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(1))
    # Where calendar apps reach the bot (PUBLIC_URL); None: no calendar links.
    public_url: str | None = None

    @property
    def say(self) -> Announcements:
        """What each change says, for the services to store with the change."""
        return Announcements(
            tuple(self.hr.destinations),
            self.policy.hr_can_override,
            calendars=self.public_url is not None,
        )


def policy_from(settings: Settings) -> Policy:
    """The rules' policy, from the settings."""
    return Policy(
        min_term_days=settings.min_term_days,
        return_rights_months=settings.return_rights_months,
        block_reason_min_chars=settings.block_reason_min_chars,
        reminder_after_working_days=settings.reminder_after_working_days,
        escalate_after_working_days=settings.escalate_after_working_days,
        working_days=settings.working_days,
        holidays=PublicHolidays(settings.holidays),
        workday_start_hour=settings.workday_start_hour,
        hr_can_override=settings.hr_can_override,
        hr_configured=bool(settings.hr_channel or settings.hr_users),
        check_in_every_weeks=settings.check_in_every_weeks,
        early_end_notice_weeks=settings.early_end_notice_weeks,
        follow_up_after_days=settings.follow_up_after_days,
        end_decision_days=settings.end_decision_days,
        end_decision_reminder_days=settings.end_decision_reminder_days,
        retention_years=settings.retention_years,
        retention_deletes=settings.retention_action == "delete",
        rules=HrRules(
            max_term_months=settings.policy_max_term_months,
            max_extension_months=settings.policy_max_extension_months,
            extension_notice_weeks=settings.policy_extension_notice_weeks,
            open_ended_review_months=settings.policy_open_ended_review_months,
        ),
    )


def deps_from(
    settings: Settings,
    sessions: Sessions,
    workspaces: Workspaces | None = None,
    clock: Clock | None = None,
) -> Deps:
    """The bot's dependencies, from the settings and the database's sessions."""
    return Deps(
        sessions,
        policy_from(settings),
        HrDesk(settings.hr_channel, settings.hr_users),
        workspaces=workspaces,
        sending=Sending(
            concurrency=settings.send_concurrency,
            pace=Pace(settings.send_rate_per_second),
            sweep_seconds=settings.sweep_interval_seconds,
        ),
        clock=SystemClock() if clock is None else clock,
        public_url=settings.public_url,
    )
