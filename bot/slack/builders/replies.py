"""Replies to one person: help, the answers to HR's and the employee's own steps, and what
became of a delegation."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, ContextBlock, SectionBlock

from bot.domain.decisions import DecisionRef
from bot.domain.delegation import DelegationRefused
from bot.domain.errors import InvalidInput
from bot.domain.hr_rules import HrRules
from bot.domain.record import SecondmentRecord
from bot.domain.states import Side, SideState
from bot.slack.builders.messages import Message, text_message
from bot.slack.builders.refusals import refusal_text
from bot.slack.builders.text import BOT_ERROR, every_weeks, md, mention, moment, slack_said
from bot.slack.builders.thread_buttons import build_open_thread_button, withdraw_button
from bot.slack.ids import Action

HELP = (
    "*Secondment Mediator* runs a secondment from the request to the return.\n"
    "• `/secondment request` — put a secondment request in writing (add `@host-manager` to "
    "fill in the receiving manager)\n"
    "• `/secondment away` — enter time away, with who decides for you meanwhile, and see or "
    "cancel what you entered\n"
    "• `/secondment list` — your secondments, as employee or as a manager\n"
    "• `/secondment status <number>` — one secondment in full\n"
    "• `/secondment calendar` — your private link to the key dates of your secondments, for "
    "your calendar app\n"
    "• `/secondment export <number>` — its full written record, as a document in your DMs "
    "(for the employee, both managers and HR)\n"
    "• `/secondment help` — this message\n"
    "For HR: `/secondment status <number>` opens any secondment, "
    "`/secondment checkins <number> <weeks>` sets how often its employee is asked how it goes, "
    "and `/secondment report [from YYYY-MM-DD] [to YYYY-MM-DD] [team <host team>]` gives "
    "figures on the requests made in those dates, with a CSV in your DMs; "
    "`/secondment erase @person` erases one person's personal data, after a confirmation."
)


def build_help(unknown: str | None = None, rules: HrRules | None = None) -> Message:
    """What the bot can do, with HR's rules where any are in force."""
    text = HELP + _rules_text(rules)
    if unknown:
        return text_message(f"I don't know `{unknown[:50]}`. Here is what I can do:\n\n{text}")
    return text_message(text)


def _rules_text(rules: HrRules | None) -> str:
    described = rules.described() if rules else []
    if not described:
        return ""
    return (
        "\n*HR's rules here:* " + "; ".join(described) + ". Outside them, ask HR for an "
        "exception on the form, and HR approves the terms too."
    )


def build_usage(typed: str, usage: str, example: str) -> Message:
    """A subcommand typed without what it needs (`/secondment status` with no number)."""
    return text_message(
        f"`/secondment {typed[:60]}` needs {usage}: for example `/secondment {example}`. "
        "`/secondment list` shows your secondments and their numbers."
    )


def build_dm_help(rules: HrRules | None = None) -> Message:
    """The answer to a message typed in the bot's DM."""
    return text_message(
        "👋 I don't read messages here: I work through `/secondment`, which you can type in "
        f"this box or anywhere in Slack.\n\n{HELP}{_rules_text(rules)}"
    )


def build_request_confirmation(record: SecondmentRecord) -> Message:
    """For the employee: their request is in writing and with both managers."""
    text = (
        f"Your secondment request #{record.id} is in writing and with "
        f"{mention(record.home.manager_id)} (home manager) and "
        f"{mention(record.host.manager_id)} (host manager). You'll see each decision, and any "
        "reason, in the approval thread."
    )
    return Message(
        text=text, blocks=[SectionBlock(text=md(text)), *build_open_thread_button(record)]
    )


def build_thread_failed(record: SecondmentRecord, error: str) -> Message:
    """For the employee, when their request is saved but its approval thread did not open."""
    # Slack's refusal is about the people named; a fault of the bot's own is for HR to take up.
    advice = (
        "Please ask HR for help."
        if error == BOT_ERROR
        else "Please check both managers' accounts are active, or ask HR for help."
    )
    return text_message(
        f"Your request #{record.id} is saved, but I couldn't open the approval thread with "
        f"{mention(record.home.manager_id)} and {mention(record.host.manager_id)} "
        f"({slack_said(error)}). Nothing is lost: `/secondment status {record.id}` shows it. "
        + advice
    )


def build_cannot_decide(record: SecondmentRecord, user_id: str) -> Message:
    """For the employee, when a manager they named turns out, after the form was answered, to
    be an account that cannot decide: nothing was shared with the managers."""
    role = "home" if user_id == record.home.manager_id else "host"
    text = (
        f"Your request #{record.id} is saved, but I have not shared it: {mention(user_id)}, "
        f"named as your {role} manager, is a bot, a deactivated account or someone Slack does "
        "not know here, and cannot decide on it. Withdraw it, then submit it again naming your "
        f"{role} manager's own account."
    )
    return Message(
        text=text,
        blocks=[SectionBlock(text=md(text)), ActionsBlock(elements=[withdraw_button(record)])],
    )


def build_delegation_refused(refused: DelegationRefused) -> Message:
    """For the manager, when a delegation taken while Slack was slow failed its check: why, and
    (while the side is still to decide) a button to choose someone else."""
    problem = refused.problem
    why = (
        " ".join(problem.errors.values())
        if isinstance(problem, InvalidInput)
        else refusal_text(problem)
    )
    return _not_handed_over(refused.record, refused.side, refused.delegate_id, why)


def build_delegate_not_checked(
    record: SecondmentRecord, side: Side, delegate_id: str, error: str
) -> Message:
    """For the manager, when Slack never said who the delegate chosen is (`error`, given up)."""
    why = f"I could not learn from Slack who they are ({slack_said(error)}). Please choose again."
    return _not_handed_over(record, side, delegate_id, why)


def _not_handed_over(record: SecondmentRecord, side: Side, delegate_id: str, why: str) -> Message:
    text = (
        f"I did not hand the *{side.role}* decision of secondment request #{record.id} to "
        f"{mention(delegate_id)}: {why}"
    )
    blocks: list[Block] = [SectionBlock(text=md(text))]
    state = record.side(side).state
    still_to_decide = record.status.awaits_decisions or record.status.is_blocked
    if still_to_decide and state in (SideState.PENDING, SideState.BLOCKED):
        ref = DecisionRef(record.id, side, record.deciding_version).encode()
        choose = ButtonElement(text="Choose someone else", action_id=Action.DELEGATE, value=ref)
        blocks.append(ActionsBlock(elements=[choose]))
    return Message(text=text, blocks=blocks)


def build_interval_set(record: SecondmentRecord) -> Message:
    """For HR, once a secondment's check-ins have a new interval."""
    return text_message(
        f"Check-ins for secondment #{record.id} now go out "
        f"{every_weeks(record.check_in_weeks)} from its start date."
    )


def build_snoozed(until: datetime) -> Message:
    """For the employee who snoozed a check-in: when they will be asked again."""
    return text_message(f"I'll remind you {moment(until)}.")


def build_actor_copy(message: Message, record: SecondmentRecord) -> Message:
    """For someone who acted on a secondment (HR, a delegate) but is not in its approval thread:
    what the thread was told, so that they see their action was recorded."""
    return Message(
        text=f"Recorded: {message.text}",
        blocks=[
            *message.blocks,
            ContextBlock(
                elements=[
                    md(
                        f"Your copy: this was said in the approval thread of secondment "
                        f"#{record.id}, which only its three parties see."
                    )
                ]
            ),
        ],
    )
