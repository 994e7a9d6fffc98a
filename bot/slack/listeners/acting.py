"""Who a request comes from, put into Bolt's context for every request by a global middleware,
so that a listener hands the services one `Actor` instead of its parts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.actor import Actor
from bot.slack.deps import Deps

# The key in Bolt's context under which the middleware puts a request's `Acting`.
ACTING = "acting"


@dataclass(frozen=True, slots=True)
class Acting:
    """A request's workspace and person, with the deps that say the policy, the time and whether
    the person is HR. Read only when asked: some events carry no user, and nothing may call
    Slack before a listener answers."""

    context: AsyncBoltContext
    deps: Deps

    @property
    def team_id(self) -> str:
        """The workspace a request belongs to; on Enterprise Grid, the org when there is no
        team."""
        team = self.context.team_id or self.context.enterprise_id
        if not team:
            raise ValueError("request carries no team or enterprise id")
        return str(team)

    @property
    def user_id(self) -> str:
        """The Slack id of the person a request comes from."""
        if not self.context.user_id:
            raise ValueError("request carries no user id")
        return str(self.context.user_id)

    def actor(self, *, is_hr: bool = False) -> Actor:
        """The person acting now (the clock is read here), as HR only when told so."""
        return Actor(self.team_id, self.user_id, self.deps.policy, self.deps.clock.now(), is_hr)

    async def is_hr(self, client: AsyncWebClient) -> bool:
        """Whether the person a request comes from has HR's powers (may ask Slack)."""
        return await self.deps.hr.is_hr(client, self.team_id, self.user_id)

    async def as_hr(self, client: AsyncWebClient) -> Actor:
        """The person acting, with whether they are HR (may ask Slack: only after the answer);
        the clock is read once Slack has said."""
        return self.actor(is_hr=await self.is_hr(client))


def acting(context: AsyncBoltContext) -> Acting:
    """The `Acting` the middleware put into a request's context."""
    found = context[ACTING]
    assert isinstance(found, Acting), "the acting middleware runs before every listener"
    return found


def register(app: AsyncApp, deps: Deps) -> None:
    """Put an `Acting` into every request's context, before any listener runs."""

    async def put_acting(context: AsyncBoltContext, next_: Callable[[], Awaitable[None]]) -> None:
        """Put the request's `Acting` into its context; reads and calls nothing."""
        context[ACTING] = Acting(context, deps)
        await next_()

    app.middleware(put_acting)
