"""What Slack holds, as both faces of the stand-in keep it: the people (as users.info shows them),
the conversations with their messages (conversations.py, messages.py), each person's open modals
and App Home (view_stacks.py), the trigger ids and response URLs handed out with each request,
uploaded files, and how far each person has read each conversation.

The Web API (api*.py) changes it, and in the sandbox so do the people's actions
(bot/sandbox/actions.py). Every change counts up `version` and calls `on_change`, which the sandbox
uses to save the workspace as it changes (saving.py); seen.py is the workspace as one person sees
it on the sandbox's page."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Iterable
from enum import Enum

from bot.clock import Clock
from bot.slack_standin.conversations import Conversations
from bot.slack_standin.identity import Identity
from bot.slack_standin.view_stacks import ViewStacks
from bot.slack_standin.views import Reply, Upload
from bot.slack_standin.wire import Json


class Knows(Enum):
    """How much of what the bot names this Slack has seen made."""

    # The sandbox: everything the bot can name was made through it. Anything else is refused
    # with Slack's error (channel_not_found, message_not_found, expired_trigger_id...).
    EVERYTHING = "everything"
    # The tests: they write records straight into the database and build their own requests,
    # so the bot names conversations, people, threads, views, triggers and response URLs this
    # Slack never saw. Those are taken as they are; but a message chat.update or
    # chat.getPermalink names in a conversation it holds must be there.
    WHAT_IT_WAS_SENT = "what it was sent"
    # As WHAT_IT_WAS_SENT, and the messages were posted through another stand-in too: one it
    # does not hold is taken, as Slack (which holds them all) would take it.
    PART = "part of its messages"


class Workspace(Conversations, ViewStacks):
    """What Slack holds, changed as Slack would change it."""

    def __init__(
        self,
        clock: Clock,
        app: Identity,
        *,
        people: Iterable[Json] = (),
        welcomed: Iterable[str] = (),
        knows: Knows = Knows.EVERYTHING,
    ) -> None:
        self.clock = clock
        self.app = app
        self.knows = knows
        self.people: dict[str, Json] = {person["id"]: person for person in people}
        # Whose DM with the bot is there from the start (and after a reset).
        self.welcomed = tuple(welcomed)
        self.on_change: Callable[[], None] = lambda: None
        # A message's link (the sandbox points it at its page rather than at Slack).
        self.permalink: Callable[[str, str], str] = app.permalink
        self.version = 0
        # This run's name: a version number alone starts again at 0 after a restart.
        self.run = secrets.token_hex(4)
        self.last_id = 0  # the last id or ts number handed out: kept between runs
        self._changed = asyncio.Event()
        self._start()

    def _start(self) -> None:
        """The workspace as a first run finds it: the welcomed people's DMs, nothing else."""
        self.conversations = {}
        self._by_ts = {}
        self.modals = {}
        self.homes = {}
        self.triggers = {}
        self.replies: dict[str, Reply] = {}  # response URL name -> where the reply goes
        self.pending_uploads: dict[str, str] = {}  # file id -> its name, until its bytes come
        self.uploads: dict[str, Upload] = {}
        self.read = {}
        for user_id in self.welcomed:
            self.dm(user_id)

    def reset(self) -> None:
        """Back to the starting workspace. Ids go on counting, so nothing a page still shows
        can be mistaken for something new."""
        self._start()
        self.changed()

    @property
    def takes_the_unseen(self) -> bool:
        """Whether what the bot names and this Slack never saw is taken as it is (`Knows`)."""
        return self.knows is not Knows.EVERYTHING

    def refuses_missing(self, channel: str) -> bool:
        """Whether a message the bot names in `channel` and this Slack does not hold is
        `message_not_found` (chat.update, chat.getPermalink), by what it knows (`Knows`)."""
        if channel in self.conversations:
            return self.knows is not Knows.PART
        return not self.takes_the_unseen

    # --- ids and change ----------------------------------------------------------------------

    def _next(self) -> int:
        self.last_id += 1
        return self.last_id

    def new_id(self, prefix: str) -> str:
        """A new id with Slack's prefix for its kind (V for a view, F for a file...)."""
        return f"{prefix}{self._next():08d}"

    def next_ts(self) -> str:
        """A message ts as Slack makes them: the time in seconds, unique after the dot (a
        millionth message in one second spills into the next, so no two are alike)."""
        seconds, serial = divmod(self._next(), 1_000_000)
        return f"{int(self.clock.now().timestamp()) + seconds}.{serial:06d}"

    def changed(self) -> None:
        """Note a change: count it, save it, and wake whoever waits for one."""
        self.version += 1
        self.on_change()
        self._changed.set()
        self._changed = asyncio.Event()

    def next_change(self) -> asyncio.Event:
        """The event the next change after now sets: taken before reading the workspace, so a
        change made while the reader is busy still wakes it."""
        return self._changed

    async def wait_until(self, condition: Callable[[], bool]) -> None:
        """Wait, on changes and never on a clock, until `condition` holds."""
        while not condition():
            await self._changed.wait()

    # --- people ------------------------------------------------------------------------------

    def add_person(self, person: Json) -> None:
        """Someone joins Slack: `person` as users.info shows them."""
        self.people[person["id"]] = person
        self.changed()

    def deactivate(self, user_id: str) -> None:
        """Someone leaves: an admin deactivates their account, and Slack tells no app."""
        self.people[user_id]["deleted"] = True
        self.changed()

    def elsewhere(self, user_id: str, team: str | None) -> bool:
        """Someone Slack knows in another workspace than the caller's: out of its reach."""
        return user_id in self.people and self.people[user_id]["team_id"] != team

    def name_of(self, user_id: str) -> str:
        """How a person's name shows in a conversation's name."""
        person = self.people.get(user_id, {})
        return str(person.get("real_name") or person.get("name") or user_id)

    # --- conversations and messages ----------------------------------------------------------
