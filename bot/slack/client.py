"""The Web API client factory: the configured base URL and retries for rate limits and 5xx; and
the pool of connections the app's client keeps while the bot runs."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import aiohttp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

Sleep = Callable[[float], Awaitable[None]]


class RetryAfterHandler(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 handler, honouring Retry-After, with the wait made injectable so tests can
    check how long the bot would wait without waiting."""

    def __init__(self, max_retry_count: int = 3, sleep: Sleep = asyncio.sleep) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._sleep = sleep

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        """Wait as long as Slack's Retry-After asks (plus up to a second), then try again."""
        if response is None:
            raise error or RuntimeError("rate-limit retry without a response")
        state.next_attempt_requested = True
        retry_after = next(
            (
                values[0]
                for name, values in response.headers.items()
                if name.lower() == "retry-after"
            ),
            "1",
        )
        await self._sleep(int(retry_after) + random.random())
        state.increment_current_attempt()


# Calls that post a message: one that failed with a server error or no answer may have been
# posted all the same, so it is not simply sent again. The outbox tries it again after asking
# Slack whether it arrived (bot/slack/posting.py). A 429 is always safe to retry.
POSTS = ("chat.postMessage",)


def _posts(request: HttpRequest) -> bool:
    return request.url.endswith(POSTS)


class _BotsRetries(AsyncRetryHandler):
    """slack_sdk's handler, except for calls that post a message, and waiting through `sleep`
    so tests can check the waits without waiting."""

    def __init__(
        self,
        max_retry_count: int,
        sleep: Sleep,
        interval_calculator: BackoffRetryIntervalCalculator | None = None,
    ) -> None:
        super().__init__(
            max_retry_count=max_retry_count,
            interval_calculator=interval_calculator or BackoffRetryIntervalCalculator(),
        )
        self._sleep = sleep

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if _posts(request):
            return False
        return await super()._can_retry_async(
            state=state, request=request, response=response, error=error
        )

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        """Wait the backoff's interval for this attempt, then try again."""
        state.next_attempt_requested = True
        await self._sleep(self.interval_calculator.calculate_sleep_duration(state.current_attempt))
        state.increment_current_attempt()


class ConnectionErrorRetryHandler(_BotsRetries, AsyncConnectionErrorRetryHandler):
    """Retries a call whose connection failed."""


class ServerErrorRetryHandler(_BotsRetries, AsyncServerErrorRetryHandler):
    """Retries a call Slack answered with 500 or 503."""


def retry_handlers(sleep: Sleep = asyncio.sleep) -> list[AsyncRetryHandler]:
    """The retries every Slack call gets: a failed connection, a rate limit, a server error."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=2, sleep=sleep),
        RetryAfterHandler(max_retry_count=3, sleep=sleep),
        ServerErrorRetryHandler(
            max_retry_count=2, sleep=sleep, interval_calculator=BackoffRetryIntervalCalculator(0.5)
        ),
    ]


def make_web_client(
    token: str | None, base_url: str, sleep: Sleep = asyncio.sleep
) -> AsyncWebClient:
    """A client for `base_url` with the retries on; without a token (OAuth mode) each call or
    request supplies its own."""
    return AsyncWebClient(token=token, base_url=base_url, retry_handlers=retry_handlers(sleep))


@asynccontextmanager
async def pooled_connections(client: AsyncWebClient) -> AsyncIterator[None]:
    """Inside, `client` (and the client Bolt copies from it for each request) sends its calls
    over one session's kept-alive connections; without a session slack_sdk opens one, with a
    new connection, for every call. Leave it only when no call is under way: closing the
    session breaks the calls still using it."""
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=client.timeout))
    client.session = session
    try:
        yield
    finally:
        client.session = None
        await session.close()
