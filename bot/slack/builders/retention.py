"""The erasure of one person's data: HR's confirmation step, and what was done."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, ConfirmObject, SectionBlock

from bot.domain.retention import PersonErased
from bot.slack.builders.messages import Message
from bot.slack.builders.text import md, mention
from bot.slack.ids import Action


def build_erase_confirmation(person_id: str) -> Message:
    """HR's last step before erasing a person's data: what it does, and the button that does it."""
    text = (
        f"Erase {mention(person_id)}'s personal data? Secondments they were the employee of are "
        "anonymised whole; in the others their name and their own words are removed. This can't "
        "be undone, and it is recorded in the audit trail (without their name)."
    )
    button = ButtonElement(
        text="Erase their data",
        action_id=Action.ERASE_PERSON,
        value=person_id,
        style="danger",
        confirm=ConfirmObject(
            title="Erase for good?",
            text=md(f"All personal data of {mention(person_id)} will be removed."),
            confirm="Erase",
            deny="Cancel",
            style="danger",
        ),
    )
    return Message(
        text=text,
        blocks=[SectionBlock(text=md(text)), ActionsBlock(block_id="erase", elements=[button])],
    )


def build_person_erased(erased: PersonErased) -> Message:
    """The reply to HR once a person's data is erased."""
    text = (
        f"🧹 Done: the personal data of that person is erased from {erased.secondments} "
        f"secondment{'s' if erased.secondments != 1 else ''}, and their cached profile is gone."
    )
    return Message(text=text, blocks=[SectionBlock(text=md(text))])
