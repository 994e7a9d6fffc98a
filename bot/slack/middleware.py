"""Global middleware: a correlation id for every incoming request, carried into its logs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse

from bot.logs import CORRELATION_ID, new_correlation_id


async def assign_correlation_id(
    context: AsyncBoltContext, next: Callable[[], Awaitable[BoltResponse]]
) -> BoltResponse:
    # The listener runs in a task created inside next(); the task copies this context variable.
    token = CORRELATION_ID.set(new_correlation_id())
    context["correlation_id"] = CORRELATION_ID.get()
    try:
        return await next()
    finally:
        CORRELATION_ID.reset(token)
