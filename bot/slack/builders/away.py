"""Time away (`/secondment away`, the App Home's button): the form, the list of time away with a
Cancel button on each, the Home's line on it, and what a hand-over says in the thread and to the
delegate."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DatePickerElement,
    DividerBlock,
    InputBlock,
    SectionBlock,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.absences import Away
from bot.services.away_handover import Handed
from bot.slack.builders.messages import Message
from bot.slack.builders.text import day, md, mention
from bot.slack.builders.ways_forward import side_to_decide
from bot.slack.ids import Action, AwayField, Callback, HomeBlock

WHAT_IT_DOES = (
    "While you are away, nothing from the bot is sent to you: it waits until your first working "
    "day back. Decisions waiting for you go to the person you choose here, and come back to you "
    "when you return. Without someone, HR is told if a decision would wait too long."
)
# Where the form was opened: the App Home is published again once it is saved.
FROM_HOME = "home"
# The App Home's greeting names the first few; the form lists many more, each cancellable.
HOME_AWAY_SHOWN = 3
FORM_AWAY_SHOWN = 40


def build_away_modal(ahead: Sequence[Away], today: date, *, from_home: bool = False) -> View:
    """The form, above the time away already entered (each cancellable)."""
    return View(
        type="modal",
        callback_id=Callback.AWAY,
        private_metadata=FROM_HOME if from_home else "",
        title="Time away",
        submit="Save",
        close="Close",
        blocks=[
            SectionBlock(text=md(WHAT_IT_DOES)),
            InputBlock(
                block_id=AwayField.FIRST_DAY,
                label="First day away",
                element=DatePickerElement(action_id=AwayField.FIRST_DAY, initial_date=str(today)),
            ),
            InputBlock(
                block_id=AwayField.LAST_DAY,
                label="Last day away",
                element=DatePickerElement(action_id=AwayField.LAST_DAY),
            ),
            InputBlock(
                block_id=AwayField.DELEGATE,
                label="Who decides for you meanwhile",
                optional=True,
                element=UserSelectElement(
                    action_id=AwayField.DELEGATE, placeholder="Choose a person"
                ),
                hint="They decide on your behalf, and the approval thread says so.",
            ),
            *away_list_blocks(ahead),
        ],
    )


def build_away_saved(
    ahead: Sequence[Away], *, cancelled: bool = False, from_home: bool = False
) -> View:
    """What the form becomes once saved, or after a Cancel on it (`cancelled`): the time away
    as it stands."""
    return View(
        type="modal",
        callback_id=Callback.AWAY,
        private_metadata=FROM_HOME if from_home else "",
        title="Time away",
        close="Done",
        blocks=[
            SectionBlock(text=md(("✅ Cancelled. " if cancelled else "✅ Saved. ") + WHAT_IT_DOES)),
            *away_list_blocks(ahead),
        ],
    )


def away_list_blocks(ahead: Sequence[Away]) -> list[Block]:
    """Time away still to come or under way, each with a Cancel button: the first
    `FORM_AWAY_SHOWN`, within a view's 100 blocks."""
    if not ahead:
        return [ContextBlock(elements=[md("You have no time away entered.")])]
    blocks = [
        DividerBlock(),
        SectionBlock(text=md("*Your time away*")),
        *_cancellable(ahead[:FORM_AWAY_SHOWN]),
    ]
    if len(ahead) > FORM_AWAY_SHOWN:
        later = len(ahead) - FORM_AWAY_SHOWN
        blocks.append(
            ContextBlock(elements=[md(f"And {later} more, later: cancel one to see them.")])
        )
    return blocks


def _cancellable(ahead: Sequence[Away]) -> list[Block]:
    blocks: list[Block] = []
    for away in ahead:
        blocks.append(
            SectionBlock(
                block_id=f"{HomeBlock.AWAY}_{away.id}",
                text=md(away_line(away)),
                accessory=ButtonElement(
                    text="Cancel",
                    action_id=Action.AWAY_CANCEL,
                    value=str(away.id),
                    confirm=ConfirmObject(
                        title="Cancel this time away?",
                        text=(
                            "Decisions handed over for it come back to you now."
                            if away.begun
                            else "Nothing will be held or handed over for these dates."
                        ),
                        confirm="Cancel it",
                        deny="Keep it",
                    ),
                ),
            )
        )
    return blocks


def away_line(away: Away) -> str:
    """One span of time away as the time-away form lists it, with who decides meanwhile."""
    span = day(away.first_day)
    if away.last_day != away.first_day:
        span = f"{span} to {day(away.last_day)}"
    now = " (now)" if away.begun else ""
    who = (
        f"{mention(away.delegate_id)} decides for you."
        if away.delegate_id
        else "Nobody decides for you: HR steps in if a decision would wait too long."
    )
    return f"🌴 *{span}*{now}\n{who}"


def away_on_home(ahead: Sequence[Away]) -> tuple[str, ButtonElement]:
    """What the App Home's greeting says of the viewer's time away (the first
    `HOME_AWAY_SHOWN`), and its button to enter or cancel time away in the form."""
    lines = [away_line(away).replace("\n", " ") for away in ahead[:HOME_AWAY_SHOWN]]
    if len(ahead) > HOME_AWAY_SHOWN:
        lines.append(f"And {len(ahead) - HOME_AWAY_SHOWN} more.")
    button = ButtonElement(
        text="Time away" if ahead else "Add time away", action_id=Action.AWAY_OPEN, value=FROM_HOME
    )
    return "\n".join(lines), button


def build_handed_reply(handed: Handed) -> Message:
    """The thread's line on a side handed over for time away, or back."""
    manager, role = mention(handed.manager_id), handed.side.role
    if handed.returned:
        over = "was cancelled" if handed.cancelled else "is over"
        text = f"🔁 {manager}'s time away {over}: the {role} decision is theirs again."
    else:
        text = (
            f"🌴 {manager} is away until {day(handed.last_day)}, so "
            f"{mention(handed.delegate_id)} decides the {role} side on their behalf until then."
        )
    return Message(text=text, blocks=[SectionBlock(text=md(text))])


def build_handed_notice(handed: Handed) -> Message:
    """The delegate's DM: the terms and the buttons when handed over; a short word when back."""
    record, side = handed.record, handed.side
    if handed.returned:
        over = "was cancelled" if handed.cancelled else "is over"
        text = (
            f"🔁 {mention(handed.manager_id)}'s time away {over}, so the *{side.role}* "
            f"decision on secondment request #{record.id} is theirs again. Thank you."
        )
        return Message(text=text, blocks=[SectionBlock(text=md(text))])
    # Worded to stay true if it waits for the delegate's own return.
    text = (
        f"🌴 {mention(handed.manager_id)} named you to decide for them while they are away, to "
        f"{day(handed.last_day)}: the *{side.role}* side of secondment request #{record.id} "
        f"({side.duty})."
    )
    return side_to_decide(record, side, text)
