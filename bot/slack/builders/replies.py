"""Replies to one person: refusals, command answers, help, and the employee's confirmation DM."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, ContextBlock, SectionBlock
from slack_sdk.models.views import View

from bot.domain.delegation import DelegationRefused
from bot.domain.errors import (
    AfterEndDate,
    AlreadyAnswered,
    AlreadyDecided,
    AlreadyEscalated,
    AlreadyStarted,
    EndSettled,
    ExceptionAlreadyDecided,
    HrNotConfigured,
    InvalidInput,
    NoLongerPending,
    NotBlocked,
    NotFound,
    NotUnderway,
    NotYourSide,
    OnlyHr,
    OnlyThesePeople,
    OverrideNotAllowed,
    PartOfTheRequest,
    ProposalOpen,
    Refusal,
    StillOpen,
    TermsChanged,
    TooEarly,
    UnreadableReference,
)
from bot.domain.hr_rules import HrRules
from bot.domain.record import SecondmentRecord
from bot.domain.states import Side, SideState, Status
from bot.services.decisions import DecisionRef
from bot.slack.builders.exceptions import exception_blocks
from bot.slack.builders.messages import Message
from bot.slack.builders.start_and_objectives import objectives_blocks
from bot.slack.builders.terms import STATUS_ICONS, proposal_blocks, summary_line, terms_blocks
from bot.slack.builders.text import (
    BOT_ERROR,
    day,
    escape,
    every_weeks,
    md,
    mention,
    moment,
    slack_said,
)
from bot.slack.builders.thread import build_open_thread_button, withdraw_button
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


def _text_only(text: str) -> Message:
    return Message(text=text, blocks=[SectionBlock(text=md(text))])


def build_help(unknown: str | None = None, rules: HrRules | None = None) -> Message:
    """What the bot can do, with HR's rules where any are in force."""
    text = HELP + _rules_text(rules)
    if unknown:
        return _text_only(f"I don't know `{unknown[:50]}`. Here is what I can do:\n\n{text}")
    return _text_only(text)


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
    return _text_only(
        f"`/secondment {typed[:60]}` needs {usage}: for example `/secondment {example}`. "
        "`/secondment list` shows your secondments and their numbers."
    )


def build_dm_help(rules: HrRules | None = None) -> Message:
    """The answer to a message typed in the bot's DM."""
    return _text_only(
        "👋 I don't read messages here: I work through `/secondment`, which you can type in "
        f"this box or anywhere in Slack.\n\n{HELP}{_rules_text(rules)}"
    )


def build_refusal(refusal: Refusal) -> Message:
    """The private reply for a refused action: why, and what to do instead."""
    return _text_only(_refusal_text(refusal))


def _people(user_ids: tuple[str, ...]) -> str:
    mentions = [mention(u) for u in user_ids]
    return mentions[0] if len(mentions) == 1 else ", ".join(mentions[:-1]) + " or " + mentions[-1]


def _refusal_text(refusal: Refusal) -> str:
    match refusal:
        case NotFound(secondment_id=number):
            return (
                f"I can't find secondment #{number} among yours. "
                "`/secondment list` shows the ones you're part of."
            )
        case PartOfTheRequest(side=side):
            return (
                f"You are part of this request, so someone else in HR decides its {side.role} side."
            )
        case NotYourSide(side=side, hr_decides=True):
            return (
                f"Only HR can decide the {side.role} side of this request now: its decider's "
                "account is deactivated."
            )
        case NotYourSide(side=side, manager_id=manager, delegate_id=delegate):
            deciders = (manager, delegate) if delegate else (manager,)
            return f"Only {_people(deciders)} can decide the {side.role} side of this request."
        case OnlyThesePeople(action=action, allowed=allowed):
            return f"Only {_people(allowed)} can {action} on this request."
        case OnlyHr(action=action):
            return f"Only HR can {action}."
        case OverrideNotAllowed():
            return (
                "HR overrides are switched off by this workspace's policy. Add a note to the "
                "thread instead, or talk to the managers."
            )
        case AlreadyDecided(side=side, state=state, decided_by=by, decided_at=at):
            verb = "approved" if state is SideState.APPROVED else "blocked"
            return (
                f"This side is already decided: {mention(by)} {verb} the {side.role} side "
                f"on {moment(at)}."
            )
        case NoLongerPending(status=status):
            return f"This request is no longer awaiting decisions: it is {status.label.lower()}."
        case NotBlocked(side=side):
            where = f"The {side.role} side" if side else "This request"
            return f"{where} is not blocked, so there is no block to answer."
        case TermsChanged(version_seen=seen, current_version=current):
            return (
                f"The terms have changed since this was posted (you saw version {seen}; the "
                f"current one is {current}). Please review the latest terms in the thread."
            )
        case AlreadyStarted(start_date=start):
            return (
                f"The secondment started on {day(start)}, so this can no longer be done "
                "through the request."
            )
        case AlreadyAnswered(sequence=sequence, answered_at=at):
            return f"You already answered check-in {sequence}, on {moment(at)}. Thank you."
        case NotUnderway(secondment_id=number, status=status):
            return (
                f"That can be done only while the secondment is under way; #{number} is "
                f"{status.label.lower()}."
            )
        case TooEarly(opens_on=opens_on):
            return f"That opens on {day(opens_on)}, a week before the end date."
        case HrNotConfigured():
            return (
                "HR is not set up for this workspace yet (HR_CHANNEL or HR_USERS), so I can't "
                "bring them in. Please contact HR directly."
            )
        case AlreadyEscalated(kind=kind, raised_by=by, raised_at=at):
            who = mention(by) if by else "the bot"
            return f"HR already has this ({kind.label.lower()}): {who} raised it on {moment(at)}."
        case ProposalOpen(kind=kind, proposed_by=by, status=status):
            where = "awaiting the managers' decisions"
            if status is Status.PROPOSAL_BLOCKED:
                where = "blocked"
            return (
                f"{mention(by)} proposed {kind.label}, and it is {where}. Settle it in the "
                "approval thread first."
            )
        case EndSettled(outcome=outcome, confirmed_by=by, confirmed_at=at):
            if outcome is not None:
                return f"What happens at the end is already settled: {outcome.label.lower()}."
            assert by and at
            return f"{mention(by)} already confirmed the return, on {moment(at)}."
        case StillOpen(secondment_ids=ids):
            numbers = ", ".join(f"#{n}" for n in ids[:20])
            return (
                f"This person is still part of open secondments ({numbers}). Their data can be "
                "erased once those are completed or withdrawn."
            )
        case AfterEndDate(end_date=end):
            return f"The secondment ended on {day(end)}, so that can no longer be proposed."
        case ExceptionAlreadyDecided(granted=granted, decided_by=by, decided_at=at):
            verb = "granted" if granted else "refused"
            return f"This exception is already decided: {mention(by)} {verb} it on {moment(at)}."
        case UnreadableReference():
            return (
                "That button or form is not one I can act on (it may be from an older message). "
                "Nothing was changed; `/secondment list` shows your secondments as they are now."
            )
        case _:
            return "I can't do that."


def build_status(record: SecondmentRecord, viewer_id: str) -> Message:
    """`/secondment status`: one secondment in full, as the viewer may see it."""
    role = record.role_of(viewer_id)
    blocks: list[Block] = [
        SectionBlock(
            text=md(
                f"*Secondment #{record.id}* — {STATUS_ICONS[record.status]} "
                f"*{record.status.label}*\n{summary_line(record)}"
            )
        ),
        *terms_blocks(record.terms),
        *objectives_blocks(record),
        *proposal_blocks(record),
    ]
    sides = []
    for side in (record.home, record.host):
        state = side.state.value
        line = f"• {side.side.role.capitalize()} {mention(side.manager_id)}: {state}"
        if side.decided_at:
            line += f" on {moment(side.decided_at)}"
        if side.block:
            line += f" — {side.block.reason.label}: {escape(side.block.explanation, 1200)}"
        sides.append(line)
    blocks.append(SectionBlock(text=md("\n".join(sides))))
    blocks += exception_blocks(record)
    if record.outcome:
        blocks.append(ContextBlock(elements=[md(f"*Outcome:* {record.outcome.label}")]))
    elif record.return_confirmed:
        confirmed = record.return_confirmed
        blocks.append(
            ContextBlock(
                elements=[
                    md(
                        f"*At the end:* return confirmed by {mention(confirmed.by)} on "
                        f"{moment(confirmed.at)}."
                    )
                ]
            )
        )
    if record.check_ins:
        answered = sum(1 for c in record.check_ins if c.answer)
        missed = sum(1 for c in record.check_ins if c.missed_at and not c.answer)
        blocks.append(
            ContextBlock(
                elements=[
                    md(
                        f"Check-ins {every_weeks(record.check_in_weeks)}: {answered} answered, "
                        f"{missed} missed."
                    )
                ]
            )
        )
    blocks.append(
        ContextBlock(
            elements=[
                md(
                    f"{f'You are the {role}' if role else 'You are viewing this as HR'} · "
                    f"terms version {record.terms_version}"
                )
            ]
        )
    )
    blocks += build_open_thread_button(record)
    return Message(text=f"Secondment #{record.id}: {record.status.label}", blocks=blocks)


def build_list(records: list[SecondmentRecord], total: int, viewer_id: str) -> Message:
    """`/secondment list`: the viewer's latest secondments, a line each."""
    if not records:
        return _text_only(
            "You have no secondments yet. `/secondment request` starts one in writing."
        )
    lines = [
        f"{STATUS_ICONS[r.status]} *#{r.id}* {summary_line(r)} — {r.status.label} "
        f"_(you: {r.role_of(viewer_id)})_"
        for r in records
    ]
    blocks: list[Block] = [SectionBlock(text=md("*Your secondments*"))]
    blocks += [SectionBlock(text=md(line)) for line in lines]
    if total > len(records):
        blocks.append(ContextBlock(elements=[md(f"Showing the latest {len(records)} of more.")]))
    blocks.append(ContextBlock(elements=[md("`/secondment status <number>` shows one in full.")]))
    return Message(text=f"Your secondments: {len(records)}", blocks=blocks)


def build_request_confirmation(record: SecondmentRecord) -> Message:
    """The employee's confirmation that the request is in writing and with both managers."""
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
    """The employee's notice that the request is saved but its approval thread could not open."""
    # Slack's refusal is about the people named; a fault of the bot's own is for HR to take up.
    advice = (
        "Please ask HR for help."
        if error == BOT_ERROR
        else "Please check both managers' accounts are active, or ask HR for help."
    )
    return _text_only(
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
        else _refusal_text(problem)
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
    """HR's confirmation of how often the secondment's check-ins now go out."""
    return _text_only(
        f"Check-ins for secondment #{record.id} now go out "
        f"{every_weeks(record.check_in_weeks)} from its start date."
    )


def build_snoozed(until: datetime) -> Message:
    """The employee's confirmation of when the check-in will remind them again."""
    return _text_only(f"I'll remind you {moment(until)}.")


# Slack errors a person can fix by trying again, with what to tell them.
SLACK_RETRYABLE = {
    "expired_trigger_id": (
        "Slack closed the window for opening the form before it arrived. "
        "Please run the command or click the button again."
    ),
    "exchanged_trigger_id": "That form was already opened. Please run the command again.",
}


def build_slack_refusal(error: str) -> Message:
    """The reply when Slack refused to open a form in a way trying again fixes."""
    return _text_only(SLACK_RETRYABLE[error] + " Nothing was changed.")


def build_unexpected_error(reference: str) -> Message:
    """The reply when something went wrong on the bot's side, with a reference for HR."""
    return _text_only(
        "Sorry, something went wrong on my side and nothing was changed. Please try again; "
        f"if it happens again, give HR this reference: `{reference}`."
    )


def build_unexpected_error_view(reference: str) -> View:
    """The unexpected-error reply, for a modal whose submission failed before it was answered."""
    return _nothing_changed(build_unexpected_error(reference))


def build_refusal_view(refusal: Refusal) -> View:
    """The same refusal, for a modal whose submission can no longer take effect."""
    return _nothing_changed(build_refusal(refusal))


def _nothing_changed(message: Message) -> View:
    return View(type="modal", title="Nothing changed", close="Close", blocks=message.blocks)


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
