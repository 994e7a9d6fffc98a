"""Why the bot did not do what someone asked: each refusal in words, Slack's refusals a person
can fix by trying again, and the reply to an unexpected failure; as a message or as a modal."""

from __future__ import annotations

from slack_sdk.models.views import View

from bot.domain.errors import (
    AfterEndDate,
    AlreadyAnswered,
    AlreadyDecided,
    AlreadyEscalated,
    AlreadyStarted,
    EndSettled,
    ExceptionAlreadyDecided,
    HrNotConfigured,
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
from bot.domain.states import SideState, Status
from bot.slack.builders.messages import Message, text_message
from bot.slack.builders.text import day, mention, moment

# Slack errors a person can fix by trying again, with what to tell them.
SLACK_RETRYABLE = {
    "expired_trigger_id": (
        "Slack closed the window for opening the form before it arrived. "
        "Please run the command or click the button again."
    ),
    "exchanged_trigger_id": "That form was already opened. Please run the command again.",
}


def build_refusal(refusal: Refusal) -> Message:
    """A refusal, told to the person who was refused."""
    return text_message(refusal_text(refusal))


def refusal_text(refusal: Refusal) -> str:
    """A refusal in words: who may do it, what was already done, or why not now."""
    return (
        _who_may(refusal)
        or _already_done(refusal)
        or _not_now(refusal)
        or _not_possible(refusal)
        or "I can't do that."
    )


def _people(user_ids: tuple[str, ...]) -> str:
    mentions = [mention(u) for u in user_ids]
    return mentions[0] if len(mentions) == 1 else ", ".join(mentions[:-1]) + " or " + mentions[-1]


def _who_may(refusal: Refusal) -> str | None:
    """Refusals of someone who may not do this, saying who may."""
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
        case _:
            return None


def _already_done(refusal: Refusal) -> str | None:
    """Refusals of something someone already did: who, and when."""
    match refusal:
        case AlreadyDecided(side=side, state=state, decided_by=by, decided_at=at):
            verb = "approved" if state is SideState.APPROVED else "blocked"
            return (
                f"This side is already decided: {mention(by)} {verb} the {side.role} side "
                f"on {moment(at)}."
            )
        case AlreadyAnswered(sequence=sequence, answered_at=at):
            return f"You already answered check-in {sequence}, on {moment(at)}. Thank you."
        case AlreadyEscalated(kind=kind, raised_by=by, raised_at=at):
            who = mention(by) if by else "the bot"
            return f"HR already has this ({kind.label.lower()}): {who} raised it on {moment(at)}."
        case EndSettled(outcome=outcome, confirmed_by=by, confirmed_at=at):
            if outcome is not None:
                return f"What happens at the end is already settled: {outcome.label.lower()}."
            assert by and at
            return f"{mention(by)} already confirmed the return, on {moment(at)}."
        case ExceptionAlreadyDecided(granted=granted, decided_by=by, decided_at=at):
            verb = "granted" if granted else "refused"
            return f"This exception is already decided: {mention(by)} {verb} it on {moment(at)}."
        case _:
            return None


def _not_now(refusal: Refusal) -> str | None:
    """Refusals of something the secondment's state or dates do not allow now."""
    match refusal:
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
        case NotUnderway(secondment_id=number, status=status):
            return (
                f"That can be done only while the secondment is under way; #{number} is "
                f"{status.label.lower()}."
            )
        case TooEarly(opens_on=opens_on):
            return f"That opens on {day(opens_on)}, a week before the end date."
        case AfterEndDate(end_date=end):
            return f"The secondment ended on {day(end)}, so that can no longer be proposed."
        case _:
            return None


def _not_possible(refusal: Refusal) -> str | None:
    """Refusals of something that something else stands in the way of."""
    match refusal:
        case HrNotConfigured():
            return (
                "HR is not set up for this workspace yet (HR_CHANNEL or HR_USERS), so I can't "
                "bring them in. Please contact HR directly."
            )
        case ProposalOpen(kind=kind, proposed_by=by, status=status):
            where = "awaiting the managers' decisions"
            if status is Status.PROPOSAL_BLOCKED:
                where = "blocked"
            return (
                f"{mention(by)} proposed {kind.label}, and it is {where}. Settle it in the "
                "approval thread first."
            )
        case StillOpen(secondment_ids=ids):
            numbers = ", ".join(f"#{n}" for n in ids[:20])
            return (
                f"This person is still part of open secondments ({numbers}). Their data can be "
                "erased once those are completed or withdrawn."
            )
        case UnreadableReference():
            return (
                "That button or form is not one I can act on (it may be from an older message). "
                "Nothing was changed; `/secondment list` shows your secondments as they are now."
            )
        case _:
            return None


def build_slack_refusal(error: str) -> Message:
    """What to do when Slack refused something a person can fix by trying again."""
    return text_message(SLACK_RETRYABLE[error] + " Nothing was changed.")


def build_unexpected_error(reference: str) -> Message:
    """The reply to a failure of the bot's own: nothing changed, and a reference for HR."""
    return text_message(
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
