"""A person's calendar link (`/secondment calendar`, the approval's "Add to calendar"): the
private URL with how to subscribe to it, and a Reset button; or why there is none."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    SectionBlock,
)

from bot.domain.calendar_links import CalendarLink
from bot.slack.builders.messages import Message
from bot.slack.builders.text import md
from bot.slack.ids import Action

HOW_TO_SUBSCRIBE = (
    "Google Calendar: *Other calendars*, then *From URL*. Outlook: *Add calendar*, then "
    "*Subscribe from web*. Apple Calendar: *File*, then *New Calendar Subscription*."
)


def calendar_url(public_url: str, token: str) -> str:
    """The address of a person's calendar feed, for their calendar app to subscribe to."""
    return f"{public_url}/calendar/{token}.ics"


def build_calendar_link(link: CalendarLink, public_url: str, *, reset: bool = False) -> Message:
    """The link, with what it holds and how to subscribe; `reset` when it has just replaced
    another (or a reset asked for had been made already)."""
    if link.reset_already:
        headline = "📅 That link was already reset. This is your calendar link now:"
    elif reset:
        headline = (
            "📅 Your calendar link is reset: the old address no longer works. Subscribe to "
            "this one instead:"
        )
    else:
        headline = (
            "📅 *Your secondment dates, in your own calendar.* Subscribe to this address in "
            "your calendar app:"
        )
    url = calendar_url(public_url, link.token)
    holds = (
        "It holds the start, check-ins, end-of-term decision, last day and return debrief of "
        "each secondment you are part of, and follows any change to the terms."
    )
    private = (
        "The address is private: anyone who has it can see these dates. If it has been shared, "
        "reset it."
    )
    text = f"{headline}\n{url}\n{holds}"
    blocks: list[Block] = [
        SectionBlock(text=md(f"{headline}\n```{url}```\n{holds}")),
        ContextBlock(elements=[md(HOW_TO_SUBSCRIBE), md(private)]),
        ActionsBlock(block_id="calendar", elements=[_reset_button(link.version)]),
    ]
    return Message(text=text, blocks=blocks)


def _reset_button(version: int) -> ButtonElement:
    return ButtonElement(
        text="Reset the link",
        action_id=Action.CALENDAR_RESET,
        value=str(version),
        confirm=ConfirmObject(
            title="Reset your calendar link?",
            text=md(
                "The old address stops working at once: calendars subscribed to it stop "
                "updating until you subscribe to the new one."
            ),
            confirm="Reset",
            deny="Cancel",
            style="danger",
        ),
    )


def build_calendars_off() -> Message:
    """The answer to a calendar link asked for when PUBLIC_URL is not set."""
    text = (
        "Calendar links are not set up here: the bot needs to know the address calendar apps "
        "can reach it at (`PUBLIC_URL`). Ask whoever runs Secondment Mediator to set it. "
        "Meanwhile the App Home lists your coming dates."
    )
    return Message(text=text, blocks=[SectionBlock(text=md(text))])


def add_to_calendar_button(secondment_id: int) -> ButtonElement:
    """On the approval's announcement: each person who clicks gets their own link."""
    return ButtonElement(
        text="📅 Add to calendar",
        action_id=Action.CALENDAR_SUBSCRIBE,
        value=str(secondment_id),
    )
