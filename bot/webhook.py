"""Sending events out to the HR system's webhook (WEBHOOK_URL): each a POST of one CloudEvents
event in structured JSON, signed in `X-Signature-256` with WEBHOOK_SECRET.

The sweep sends what the outbox holds (bot/services/events_out.py), in order: a receiver that
answers with anything but 2xx, or not within `TIMEOUT_SECONDS`, gets the same event again
later, with the same id and the same bytes, and nothing after it goes first. Redirects are not
followed: the events go to the address HR set up, or nowhere yet. Log lines name the
receiver's host only: a URL may carry a token of its own.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import aiohttp
from pydantic import SecretStr

from bot.db import Sessions
from bot.domain.events_out import CONTENT_TYPE, SIGNATURE_HEADER, retry_after, signature
from bot.services.events_out import (
    Claimed,
    claim_events,
    mark_event_failed,
    mark_event_sent,
    release_events,
)
from bot.settings import Settings

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
USER_AGENT = "secondment-mediator-webhook"


@dataclass(frozen=True, slots=True)
class Webhook:
    """Where events go, the secret they are signed with, and the HTTP session that sends them."""

    url: str
    secret: SecretStr
    http: aiohttp.ClientSession

    @property
    def host(self) -> str:
        """The webhook's host name, for log lines that must not show its full URL."""
        return urlsplit(self.url).hostname or "?"


@asynccontextmanager
async def webhook_from(settings: Settings) -> AsyncIterator[Webhook | None]:
    """The webhook WEBHOOK_URL and WEBHOOK_SECRET set up, for as long as the block lasts; None
    without one."""
    if settings.webhook_url is None or settings.webhook_secret is None:
        yield None
        return
    async with aiohttp.ClientSession() as http:
        yield Webhook(settings.webhook_url, settings.webhook_secret, http)


async def send_due_events(
    webhook: Webhook, sessions: Sessions, now: datetime, budget_seconds: float = 5.0
) -> int:
    """Send the events due at `now`, oldest first, until one fails, none is left, or
    `budget_seconds` have gone (the sweep's own limit, SWEEP_INTERVAL_SECONDS: a slow receiver
    holds back the nudges' next sweep by at most that and one timeout); returns how many the
    receiver took. So a run is short beside a claim's lease, and `now` serves for all of it."""
    began = time.monotonic()
    sent = 0
    while batch := await claim_events(sessions, now=now):
        for claimed in batch:
            if time.monotonic() - began >= budget_seconds:
                await release_events(sessions, claimed.claim_token)
                return sent
            problem = await _post(webhook, claimed)
            if problem is not None:
                await mark_event_failed(sessions, claimed, error=problem, now=now)
                log.warning(
                    "the webhook at %s did not take an event (%s); trying again in %s",
                    webhook.host,
                    problem,
                    retry_after(claimed.attempts + 1),
                )
                return sent
            await mark_event_sent(sessions, claimed, now=now)
            sent += 1
    return sent


async def _post(webhook: Webhook, claimed: Claimed) -> str | None:
    """POST one event; None when the receiver took it, otherwise what went wrong."""
    body = claimed.body.encode()
    headers = {
        "Content-Type": CONTENT_TYPE,
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: signature(webhook.secret.get_secret_value(), body),
    }
    try:
        async with webhook.http.post(
            webhook.url,
            data=body,
            headers=headers,
            allow_redirects=False,
            timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS),
        ) as response:
            if 200 <= response.status < 300:
                return None
            return f"HTTP {response.status}"
    except TimeoutError:
        return f"no answer within {TIMEOUT_SECONDS:g} s"
    except aiohttp.ClientError as error:
        return type(error).__name__
