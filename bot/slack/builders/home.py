"""The App Home tab: a greeting, then each section's first items, what it has to say about each,
and "Show more" while there are more (how many each shows is bot/slack/builders/home_limits.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain.decisions import DecisionRef
from bot.domain.home_view import (
    Completed,
    Home,
    HomeSection,
    MissedCheckIn,
    OpenEscalation,
    PendingDecision,
    Shown,
)
from bot.domain.key_dates import DateKind, KeyDate
from bot.domain.states import SideState, Status
from bot.domain.summary import SecondmentSummary
from bot.slack.builders.away import away_on_home
from bot.slack.builders.home_limits import ITEM_BLOCKS, STEP_BLOCKS, Limits, encode_limits, most
from bot.slack.builders.terms import STATUS_ICONS
from bot.slack.builders.text import day, escape, md, mention, moment, plain
from bot.slack.builders.ways_forward import decision_buttons
from bot.slack.ids import Action, HomeBlock

TITLES = {
    HomeSection.MINE: "Your secondments",
    HomeSection.DECISIONS: "Waiting for your decision",
    HomeSection.MANAGED: "Secondments I manage",
    HomeSection.HOSTED: "Secondments I host",
    HomeSection.DATES: "Coming up",
    HomeSection.HR_OPEN: "HR: pending and active secondments",
    HomeSection.HR_COMPLETED: "HR: completed secondments",
    HomeSection.HR_ESCALATIONS: "HR: open escalations",
    HomeSection.HR_MISSED: "HR: missed check-ins",
}
EMPTY = {
    HomeSection.MINE: "You have no secondments as employee. `/secondment request` starts one.",
    HomeSection.DECISIONS: "Nothing is waiting for your decision.",
    HomeSection.MANAGED: "None of your people has a secondment with you as home manager.",
    HomeSection.HOSTED: "Nobody is seconded into your team with you as host manager.",
    HomeSection.DATES: "No start, check-in or end date coming up in your secondments.",
    HomeSection.HR_OPEN: "No secondment is being decided, blocked, approved or under way.",
    HomeSection.HR_COMPLETED: "No secondment has been completed yet.",
    HomeSection.HR_ESCALATIONS: "No open escalations.",
    HomeSection.HR_MISSED: "No missed check-ins.",
}


def build_home(home: Home, limits: Limits, viewer_id: str) -> View:
    """One person's App Home, each section showing at most its limit."""
    greeting = (
        f"Hi {mention(viewer_id)}. Here is where your secondments stand, and what waits for you."
    )
    if home.hr is not None:
        greeting += (
            "\nYou are HR, so you also see every open and completed secondment, open "
            "escalations and missed check-ins."
        )
    away, away_button = away_on_home(home.away)
    if away:
        greeting += f"\n{away}"
    blocks: list[Block] = [SectionBlock(text=md(greeting), accessory=away_button)]
    blocks += _section(HomeSection.MINE, home.mine, limits, _mine_item)
    blocks += _section(
        HomeSection.DECISIONS,
        home.decisions,
        limits,
        lambda pending: _decision_item(pending, viewer_id),
    )
    blocks += _section(HomeSection.MANAGED, home.managed, limits, _managed_item)
    blocks += _section(HomeSection.HOSTED, home.hosted, limits, _managed_item)
    blocks += _section(HomeSection.DATES, home.dates, limits, _date_item)
    if home.hr is not None:
        blocks += _section(HomeSection.HR_OPEN, home.hr.open, limits, _open_item)
        blocks += _section(HomeSection.HR_COMPLETED, home.hr.completed, limits, _completed_item)
        blocks += _section(
            HomeSection.HR_ESCALATIONS, home.hr.escalations, limits, _escalation_item
        )
        blocks += _section(HomeSection.HR_MISSED, home.hr.missed, limits, _missed_item)
    blocks.append(
        ContextBlock(
            elements=[
                md(
                    "`/secondment status <number>` shows one secondment in full · "
                    "`/secondment list` lists yours · `/secondment away` enters time away · "
                    "`/secondment help` lists the commands."
                )
            ]
        )
    )
    return View(type="home", blocks=blocks, private_metadata=encode_limits(limits))


def _section(
    section: HomeSection,
    shown: Shown[Any],
    limits: Limits,
    render: Callable[[Any], list[Block]],
) -> list[Block]:
    items, total = shown.items, shown.total
    blocks: list[Block] = [HeaderBlock(text=plain(TITLES[section]))]
    for item in items:
        blocks += render(item)
    if not items:
        count = EMPTY[section]
    elif total > len(items) and limits[section] >= most(section):
        count = (
            f"Showing the first {len(items):,} of {total:,}. `/secondment status <number>` "
            "shows any one of them."
        )
    else:
        count = f"Showing {len(items):,} of {total:,}."
    blocks.append(ContextBlock(elements=[md(count)]))
    if total > len(items) and limits[section] < most(section):
        more = min(limits[section] + STEP_BLOCKS // ITEM_BLOCKS[section], most(section))
        blocks.append(
            ActionsBlock(
                block_id=f"{HomeBlock.SHOW_MORE}_{section.value}",
                elements=[
                    ButtonElement(
                        text="Show more",
                        action_id=Action.HOME_SHOW_MORE,
                        value=f"{section.value}:{more}",
                    )
                ],
            )
        )
    blocks.append(DividerBlock())
    return blocks


def _thread_link(secondment: SecondmentSummary) -> ButtonElement | None:
    if not secondment.thread_url:
        return None
    return ButtonElement(
        text="Open the thread", action_id=Action.OPEN_THREAD, url=secondment.thread_url
    )


def _state(secondment: SecondmentSummary) -> str:
    """Where a request stands, and on whom it waits."""
    status = secondment.status
    if status.awaits_decisions:
        waiting = [
            f"HR ({side.side.role}: its decider is no longer in Slack)"
            if side.hr_decides
            else f"{mention(side.decider_id)} ({side.side.role})"
            for side in secondment.sides
            if side.state is SideState.PENDING
        ]
        if secondment.exception_pending:
            waiting.append("HR (an exception to its rules)")
        if not waiting:
            return f"{status.label}."
        listed = ", ".join(waiting[:-1]) + " and " if len(waiting) > 1 else ""
        return f"{status.label}: waiting for {listed}{waiting[-1]}."
    blocked, reason = secondment.blocked_side, secondment.block_reason
    if status.is_blocked and blocked is not None and reason is not None:
        return f"{status.label} by the {blocked.side.role}: {reason.label}."
    if secondment.outcome is not None:
        return f"{status.label}: {secondment.outcome.label.lower()}."
    return f"{status.label}."


def _who_where(employee_id: str, role_title: str, host_team: str) -> str:
    return f"{mention(employee_id)} → *{escape(role_title)}* in *{escape(host_team)}*"


def _item(
    secondment: SecondmentSummary, line: str, icon: str = "", link: ButtonElement | None = None
) -> SectionBlock:
    """One secondment on a line of its own, and what the section has to say about it."""
    who = _who_where(secondment.employee_id, secondment.role_title, secondment.host_team)
    when = f"{day(secondment.start_date)} to {day(secondment.end_date)}"
    icon = icon or STATUS_ICONS[secondment.status]
    return SectionBlock(text=md(f"{icon} *#{secondment.id}* {who}, {when}\n{line}"), accessory=link)


def _mine_item(secondment: SecondmentSummary) -> list[Block]:
    return [_item(secondment, _state(secondment), link=_thread_link(secondment))]


def _next_date(secondment: SecondmentSummary) -> str:
    """The date that comes next for a secondment, in words true whatever today is: the start
    of one approved (not yet started), the end of one under way."""
    status = secondment.status
    if status is Status.APPROVED:
        return f" Starts on {day(secondment.start_date)}."
    if status.is_underway:
        return f" Its last day is {day(secondment.end_date)}."
    if status is Status.COMPLETED:
        return f" Its last day was {day(secondment.end_date)}."
    return ""


def _managed_item(secondment: SecondmentSummary) -> list[Block]:
    line = _state(secondment) + _next_date(secondment)
    return [_item(secondment, line, link=_thread_link(secondment))]


def _completed_item(completed: Completed) -> list[Block]:
    secondment, extensions = completed.secondment, completed.extensions
    outcome = secondment.outcome.label if secondment.outcome else Status.COMPLETED.label
    extended = ""
    if extensions:
        extended = f", after {extensions} extension{'s' if extensions > 1 else ''}"
    line = f"{outcome}{extended}. Its last day was {day(secondment.end_date)}."
    # No thread link: HR is not in the parties' group conversation.
    return [_item(secondment, line)]


def _open_item(secondment: SecondmentSummary) -> list[Block]:
    # No thread link: HR is not in the parties' group conversation.
    return [_item(secondment, _state(secondment))]


def _decision_item(pending: PendingDecision, viewer_id: str) -> list[Block]:
    secondment, side = pending.secondment, pending.secondment.side(pending.side)
    what = f"You decide the *{side.side.role}* side: the {side.side.role} {side.side.duty}"
    if side.delegate_id == viewer_id:
        what += f", on behalf of {mention(side.manager_id)}"
    if secondment.proposal:
        what += f". This decides {secondment.proposal.label} (terms version "
        what += f"{secondment.deciding_version})"
    # A delegate is not in the parties' group conversation, so only a manager gets its link.
    link = _thread_link(secondment) if side.delegate_id != viewer_id else None
    since = moment(secondment.round_started_at)
    return [
        _item(secondment, f"{what}. Waiting since {since}.", link=link),
        decision_buttons(
            DecisionRef(secondment.id, side.side, secondment.deciding_version),
            proposal=secondment.proposal is not None,
            block_id=f"{HomeBlock.DECIDE}_{secondment.id}_{side.side.value}",
        ),
    ]


def _date_item(key_date: KeyDate) -> list[Block]:
    timeline = key_date.timeline
    what = {
        DateKind.START: "starts",
        DateKind.CHECK_IN: f"check-in {key_date.check_in}",
        DateKind.DECISION_DUE: "end-of-term decision asked for",
        DateKind.END: "ends (the last day)",
        DateKind.DEBRIEF: "return debrief asked for",
    }[key_date.kind]
    return [
        SectionBlock(
            text=md(
                f"*{day(key_date.on)}* · *#{timeline.secondment_id}* {what}: "
                + _who_where(timeline.employee_id, timeline.role_title, timeline.host_team)
            )
        )
    ]


def _escalation_item(escalation: OpenEscalation) -> list[Block]:
    who = mention(escalation.raised_by) if escalation.raised_by else "the bot"
    line = (
        f"{escalation.kind.label}, raised by {who} on {moment(escalation.created_at)}. "
        f"{_state(escalation.secondment)}"
    )
    return [_item(escalation.secondment, line, icon="📣")]


def _missed_item(missed: MissedCheckIn) -> list[Block]:
    which = f"Check-in {missed.sequence}" if missed.sequence else "The follow-up after the return"
    line = f"{which} went unanswered: marked missed on {moment(missed.missed_at)}."
    return [_item(missed.secondment, line, icon="🔕")]
