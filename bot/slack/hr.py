"""HR as the bot knows it: a channel for escalations and/or a list of people (HR_CHANNEL,
HR_USERS). HR powers belong to the listed people and to members of the HR channel.

The settings are global: in OAuth mode they apply in every workspace, though the channel and
(outside Enterprise Grid) the users belong to one (see the README). The channel's members are
read with each workspace's own token and cached per workspace, so one never answers for another."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

MEMBERS_TTL_SECONDS = 300.0
# How old a read of the members may be and still answer a form when Slack is too slow to read
# them again in time: someone taken out of the HR channel keeps HR's powers at most this long.
MEMBERS_FALLBACK_SECONDS = 1800.0


@dataclass
class HrDesk:
    """Who HR is (the HR channel's members and HR_USERS), and where HR's messages go."""

    channel: str | None
    users: tuple[str, ...]
    monotonic: Callable[[], float] = time.monotonic
    # By team id: when each workspace last read the channel's members, and what it read.
    _members: dict[str, tuple[float, frozenset[str]]] = field(default_factory=dict)
    # By team id: the read of the members under way, shared by whoever asks meanwhile, and
    # left to finish when a form cannot wait for it.
    _reading: dict[str, asyncio.Task[frozenset[str]]] = field(default_factory=dict)

    @property
    def destinations(self) -> list[str]:
        """Where HR messages go: the channel, and each HR user's DM."""
        return ([self.channel] if self.channel else []) + list(self.users)

    async def is_hr(self, client: AsyncWebClient, team_id: str, user_id: str) -> bool:
        """Whether this person has HR's powers in this workspace."""
        if user_id in self.users:
            return True
        if self.channel is None:
            return False
        try:
            return user_id in await self._channel_members(client, team_id, self.channel)
        except SlackApiError:
            # Usually the bot is not in a private HR channel: HR_USERS still count. (The read
            # logs why, once, however many asked.)
            return False

    async def _channel_members(
        self, client: AsyncWebClient, team_id: str, channel: str
    ) -> frozenset[str]:
        # Membership changes rarely; reading it on every click would cost a call each time.
        read_at, members = self._members.get(team_id, (float("-inf"), frozenset()))
        if self.monotonic() - read_at < MEMBERS_TTL_SECONDS:
            return members
        reading = self._reading.get(team_id)
        if reading is None:
            reading = asyncio.create_task(self._read_members(client, team_id, channel))
            self._reading[team_id] = reading
            reading.add_done_callback(lambda done: self._read(team_id, done))
        # Shielded: a form that stops waiting leaves the read to finish for the next asker.
        return await asyncio.shield(reading)

    def _read(self, team_id: str, done: asyncio.Task[frozenset[str]]) -> None:
        del self._reading[team_id]
        error = None if done.cancelled() else done.exception()
        if error is not None:
            # Whoever still waits gets the error too (see `is_hr`); a form that stopped waiting
            # has answered from the last read, and the next asker reads again.
            why = error.response.get("error") if isinstance(error, SlackApiError) else error
            log.warning("cannot read HR channel members: %s", why)

    async def _read_members(
        self, client: AsyncWebClient, team_id: str, channel: str
    ) -> frozenset[str]:
        found: set[str] = set()
        async for page in await client.conversations_members(channel=channel, limit=200):
            found.update(page["members"])
        self._members[team_id] = (self.monotonic(), frozenset(found))
        return frozenset(found)

    def was_hr(self, team_id: str, user_id: str) -> bool | None:
        """Whether the person was HR at the last read of the members, if that read is recent
        enough to stand in while Slack is too slow to read them again; None if not."""
        if user_id in self.users:
            return True
        if self.channel is None:
            return False
        read_at, members = self._members.get(team_id, (float("-inf"), frozenset()))
        if self.monotonic() - read_at >= MEMBERS_FALLBACK_SECONDS:
            return None
        return user_id in members
