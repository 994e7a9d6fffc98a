"""HR as the bot knows it: a channel for escalations and/or a list of people (HR_CHANNEL,
HR_USERS). HR powers belong to the listed people and to members of the HR channel.

The settings are global: in OAuth mode they apply in every workspace, though the channel and
(outside Enterprise Grid) the users belong to one (see the README). The channel's members are
read with each workspace's own token and cached per workspace, so one never answers for another."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

MEMBERS_TTL_SECONDS = 300.0


@dataclass
class HrDesk:
    channel: str | None
    users: tuple[str, ...]
    # By team id: when each workspace last read the channel's members, and what it read.
    _members: dict[str, tuple[float, frozenset[str]]] = field(default_factory=dict)

    @property
    def destinations(self) -> list[str]:
        """Where HR messages go: the channel, and each HR user's DM."""
        return ([self.channel] if self.channel else []) + list(self.users)

    async def is_hr(self, client: AsyncWebClient, team_id: str, user_id: str) -> bool:
        if user_id in self.users:
            return True
        if self.channel is None:
            return False
        try:
            return user_id in await self._channel_members(client, team_id, self.channel)
        except SlackApiError as exc:
            # Usually the bot is not in a private HR channel: HR_USERS still count.
            log.warning("cannot read HR channel members: %s", exc.response.get("error"))
            return False

    async def _channel_members(
        self, client: AsyncWebClient, team_id: str, channel: str
    ) -> frozenset[str]:
        # Membership changes rarely; reading it on every click would cost a call each time.
        read_at, members = self._members.get(team_id, (float("-inf"), frozenset()))
        if time.monotonic() - read_at < MEMBERS_TTL_SECONDS:
            return members
        found: set[str] = set()
        async for page in await client.conversations_members(channel=channel, limit=200):
            found.update(page["members"])
        self._members[team_id] = (time.monotonic(), frozenset(found))
        return frozenset(found)
