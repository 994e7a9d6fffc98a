"""What listeners share around a change: its turn after the answer, HR's powers looked up in
time, and the button clicked."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.errors import InvalidInput, NotYourSide, UnreadableReference
from bot.slack import directory
from bot.slack.deps import Deps
from bot.slack.listeners.acting import acting

T = TypeVar("T")

# The key of the event bot/web.py sets in a request's context once its answer is on the way.
ANSWERED = "answered"


@asynccontextmanager
async def changing(deps: Deps, context: AsyncBoltContext) -> AsyncIterator[None]:
    """Around the change a listener makes after its answer. It begins once the answer is on its
    way to Slack: Bolt sees that a listener has answered only when it next looks, every 10 ms,
    and work begun before then (a change, its messages) would hold the answer back. Then it
    takes its turn among the process's changes (`Deps.changing`). Served without bot/web.py
    (Socket Mode), there is no such event, and no wait. (Not for Bolt's lazy listeners, which
    run on a copy of the context that nothing would set; the bot has none.)"""
    answered = context.get(ANSWERED)
    if isinstance(answered, asyncio.Event):
        await answered.wait()
    async with deps.changing:
        yield


HR_SLOW = "Slack did not answer in time to confirm you are in HR. Please submit again in a moment."


async def is_hr_before_answering(
    deps: Deps, client: AsyncWebClient, context: AsyncBoltContext, *, field: str
) -> bool:
    """`Acting.is_hr` for a form not yet answered: reading the HR channel's members may need
    Slack, which gets `directory.LOOKUP_SECONDS`. After that the last read of the members
    answers, if it is recent enough (`MEMBERS_FALLBACK_SECONDS`), while the new one finishes for
    the next form; with none, the form asks to submit again (on `field`)."""
    try:
        async with asyncio.timeout(directory.LOOKUP_SECONDS):
            return await acting(context).is_hr(client)
    except TimeoutError:
        known = deps.hr.was_hr(acting(context).team_id, acting(context).user_id)
        if known is None:
            raise InvalidInput({field: HR_SLOW}) from None
        return known


async def as_hr_if_theirs(
    act: Callable[[bool], Awaitable[T]], clicker_is_hr: Callable[[], Awaitable[bool]]
) -> T:
    """`act(False)`: a decision as the clicker. When that is refused because the side is HR's
    (its decider's account was deactivated) and `clicker_is_hr()`, `act(True)`: as HR. HR is
    looked up only then, between the two, so a manager's click costs no call to Slack, and no
    change waits on one."""
    try:
        return await act(False)
    except NotYourSide as refusal:
        if not refusal.hr_decides or not await clicker_is_hr():
            raise
        return await act(True)


def button_value(body: dict[str, Any]) -> str:
    """The value of the button clicked (the payload check made it a string, when there is one);
    `UnreadableReference` when the button carried none."""
    value = body["actions"][0].get("value")
    if not isinstance(value, str):
        raise UnreadableReference()
    return value
