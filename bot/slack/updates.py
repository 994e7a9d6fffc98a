"""What a delivery redraws in place rather than posts: the approval thread's parent, a person's
App Home, and the buttons of the questions a change has closed.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.actor import Actor
from bot.domain.record import SecondmentRecord
from bot.services.asked import pin_unpinned_close
from bot.services.home import load_home
from bot.services.sweep import Due
from bot.slack.builders.home import build_home
from bot.slack.builders.home_limits import decode_limits
from bot.slack.builders.thread import build_request_message
from bot.slack.deps import Deps
from bot.slack.failures import error_of

# A message that cannot be updated because it is gone (deleted, or its conversation is): there
# is nothing left to close.
GONE = frozenset({"message_not_found", "channel_not_found", "cant_update_message", "is_archived"})


async def redraw_thread(client: AsyncWebClient, record: SecondmentRecord) -> None:
    """The thread's parent redrawn from the record the delivery holds; without a thread,
    nothing to draw."""
    if record.channel_id and record.thread_ts:
        await client.chat_update(
            channel=record.channel_id,
            ts=record.thread_ts,
            **build_request_message(record).as_kwargs(),
        )


async def republish_home(client: AsyncWebClient, deps: Deps, due: Due, now: datetime) -> None:
    """The person's Home as it now stands, with the sections shown as they were; HR's sections
    only if HR says they are HR."""
    assert due.recipient_id is not None and due.payload is not None
    user, team = due.recipient_id, due.record.team_id
    limits = decode_limits(str(due.payload.get("shown") or ""))
    home = await load_home(
        deps.sessions,
        actor=Actor(team, user, deps.policy, now, await deps.hr.is_hr(client, team, user)),
        limits=limits,
    )
    await client.views_publish(user_id=user, view=build_home(home, limits, user))


async def close_questions(client: AsyncWebClient, deps: Deps, due: Due) -> None:
    """Replace the buttons of the questions `due` closes with what happened, where they were
    posted (pinned by the change that closed them). An update is the same every time, so one
    repeated after a failure changes nothing more; a question Slack no longer has is left
    alone."""
    assert due.payload is not None
    questions = due.payload.get("questions")
    if questions is None:  # written by a release that did not pin its closes
        questions = await pin_unpinned_close(
            deps.sessions, due.nudge_id, due.record.id, due.payload
        )
    for channel, ts in questions:
        try:
            await client.chat_update(channel=channel, ts=ts, **due.payload["message"])
        except SlackApiError as exc:
            if error_of(exc) not in GONE:
                raise
