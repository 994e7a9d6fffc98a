"""The one error path: a refusal becomes a clear ephemeral reply; a Slack error a person can fix
by retrying says so; anything else is logged with its traceback and correlation id, and the
person is told that nothing changed and given the id.

Every listener is wrapped in `answered`, which sends its exceptions here (and runs it inside
`said_here`, bot/slack/listeners/claims.py). Without it, an
exception raised after `ack()` reaches Bolt's asyncio runner, which resets the acknowledgement
to None after running the error handler; if its 10 ms poll has not yet seen the ack, the HTTP
response waits out the 3-second ack timeout and Slack gets a 404. `@app.error` stays registered
for anything raised outside a listener, and reports through the same function.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError

from bot.domain.errors import InvalidInput, Refusal
from bot.logs import CORRELATION_ID
from bot.slack.builders.messages import Message
from bot.slack.builders.refusals import (
    SLACK_RETRYABLE,
    build_refusal,
    build_refusal_view,
    build_slack_refusal,
    build_unexpected_error,
    build_unexpected_error_view,
)
from bot.slack.listeners.claims import said_here

log = logging.getLogger(__name__)

Listener = Callable[..., Awaitable[None]]


def _named_like(listener: Listener) -> Callable[[Listener], Listener]:
    """`functools.wraps`, with the name of the handler a `functools.partial` holds (the listeners
    are handed their `deps` that way), so Bolt's logs name each listener, not "wrapper"."""
    handler = listener.func if isinstance(listener, functools.partial) else listener

    def named(wrapper: Listener) -> Listener:
        """The wrapper, named and documented as the handler it runs."""
        functools.update_wrapper(wrapper, handler)
        # Bolt reads the arguments to pass from the signature: the partial's, without `deps`.
        wrapper.__wrapped__ = listener  # type: ignore[attr-defined]
        return wrapper

    return named


def answered(listener: Listener) -> Listener:
    """Send whatever the listener raises to `report_error`; the listener must take `context`."""
    if "context" not in inspect.signature(listener).parameters:
        raise TypeError(f"{listener} must accept `context` to report its errors")

    @_named_like(listener)
    async def wrapper(**kwargs: Any) -> None:
        """Run the listener, sending whatever it raises to `report_error`."""
        try:
            with said_here():
                await listener(**kwargs)
        except Exception as error:  # noqa: BLE001 - this is the error path, not a swallow
            await report_error(error, kwargs["context"])

    return wrapper


def answered_in_modal(listener: Listener) -> Listener:
    """For modal submissions: a form error shows on its field, a refusal replaces the modal with
    the reason (the request moved on while it was open); anything else takes the one error path.
    The listener must take `ack` and `context`."""
    if not {"ack", "context"} <= set(inspect.signature(listener).parameters):
        raise TypeError(f"{listener} must accept `ack` and `context`")

    @_named_like(listener)
    async def wrapper(**kwargs: Any) -> None:
        """Run the listener, turning a form error or a refusal into the modal's answer."""
        ack: AsyncAck = kwargs["ack"]
        try:
            with said_here():
                await listener(**kwargs)
        except InvalidInput as invalid:
            await ack(response_action="errors", errors=invalid.errors)
        except Refusal as refusal:
            await ack(response_action="update", view=build_refusal_view(refusal))
        except Exception as error:
            if ack.response is None:
                # Failed before answering: the modal says so at once, instead of Slack showing
                # its own error after three seconds without an answer.
                log.error("listener failed", exc_info=error)
                await ack(
                    response_action="update",
                    view=build_unexpected_error_view(CORRELATION_ID.get()),
                )
            else:
                await report_error(error, kwargs["context"])

    return wrapper


def register(app: AsyncApp) -> None:
    """Send errors raised outside any listener through the one error path."""

    @app.error
    async def handle_listener_error(error: Exception, context: AsyncBoltContext) -> None:
        """Report an error Bolt caught outside a listener."""
        await report_error(error, context)


async def report_error(error: Exception, context: AsyncBoltContext) -> None:
    """Log an error as its kind deserves, and tell the person privately what happened."""
    if isinstance(error, Refusal):
        log.info("refused: %r", error)
        message = build_refusal(error)
    elif isinstance(error, SlackApiError) and error.response.get("error") in SLACK_RETRYABLE:
        log.warning("slack refused: %s", error.response.get("error"))
        message = build_slack_refusal(str(error.response.get("error")))
    elif isinstance(error, aiohttp.ClientError | TimeoutError):
        # The response URL (or Slack) did not answer: a fault of the network, not of the bot,
        # and the URL is not logged (the sender chose it).
        log.warning("could not reach Slack: %s", type(error).__name__)
        message = build_unexpected_error(CORRELATION_ID.get())
    else:
        log.error("listener failed", exc_info=error)
        message = build_unexpected_error(CORRELATION_ID.get())
    await _tell(message, context)


async def _tell(message: Message, context: AsyncBoltContext) -> None:
    """Reply privately: through the response URL when the request has one, else by DM."""
    try:
        if context.response_url and context.respond is not None:
            await context.respond(
                **message.as_kwargs(), response_type="ephemeral", replace_original=False
            )
        elif context.user_id:
            await context.client.chat_postMessage(channel=context.user_id, **message.as_kwargs())
    except SlackApiError as exc:
        log.error(
            "could not tell %s about an error: %s", context.user_id, exc.response.get("error")
        )
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        # The response URL did not answer, or is not one at all.
        log.warning("could not tell %s about an error: %s", context.user_id, type(exc).__name__)
