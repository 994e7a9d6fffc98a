"""Requests that Slack did not sign, or signed too long ago, are refused with 401 and do nothing."""

from __future__ import annotations

import logging

from bot.sandbox.wire import LEGACY_TOKEN
from bot.slack.bolt_app import SLACK_NOT_ANSWERING
from tests.conftest import NOW
from tests.support import wire
from tests.support.harness import EMPLOYEE, Harness
from tests.support.logs import captured


async def test_a_bad_signature_is_refused_and_nothing_happens(bot: Harness) -> None:
    body = wire.slash_command(EMPLOYEE, "request", bot.new_response_url())

    response = await bot.post(body, wire.sign(body, secret="f" * 32))

    assert response.status == 401
    assert bot.slack.calls == []


async def test_a_refused_request_is_logged_without_the_verification_token(bot: Harness) -> None:
    body = wire.slash_command(EMPLOYEE, "request", bot.new_response_url())

    with captured("text", level=logging.DEBUG) as stream:
        response = await bot.post(body, wire.sign(body, secret="f" * 32))

    assert response.status == 401
    assert "the signature does not match" in stream.getvalue()
    assert LEGACY_TOKEN in body and LEGACY_TOKEN not in stream.getvalue()


async def test_a_body_changed_after_signing_is_refused(bot: Harness) -> None:
    body = wire.slash_command(EMPLOYEE, "list", bot.new_response_url())
    headers = wire.sign(body)

    response = await bot.post(body.replace("list", "help"), headers)

    assert response.status == 401
    assert bot.slack.calls == []


async def test_a_stale_timestamp_is_refused_even_with_a_valid_signature(bot: Harness) -> None:
    body = wire.slash_command(EMPLOYEE, "help", bot.new_response_url())

    # Ten minutes before the system's time as the `clock` fixture holds it.
    response = await bot.post(body, wire.sign(body, timestamp=int(NOW.timestamp()) - 10 * 60))

    assert response.status == 401
    assert bot.slack.calls == []


async def test_a_request_without_signature_headers_is_refused(bot: Harness) -> None:
    body = wire.slash_command(EMPLOYEE, "help", bot.new_response_url())

    response = await bot.post(body, {"Content-Type": "application/x-www-form-urlencoded"})

    assert response.status == 401
    assert bot.slack.calls == []


async def test_a_correctly_signed_request_is_served(bot: Harness) -> None:
    # The control for the tests above: the same request, signed properly, gets an answer.
    _, reply_name = await bot.command(EMPLOYEE, "help")

    assert "/secondment list" in (await bot.reply_to(reply_name)).text


async def test_while_slack_does_not_answer_people_are_told_so_plainly(bot: Harness) -> None:
    # One workspace: Bolt asks who the token is before the first request, and Slack fails.
    bot.slack.fail_next("auth.test", "fatal_error")
    body = wire.slash_command(EMPLOYEE, "help", bot.new_response_url())

    response = await bot.post(body)

    assert response.status == 200
    assert SLACK_NOT_ANSWERING in await response.text()
    bot.expect_errors = True  # Bolt logs the failed auth.test
    # As soon as Slack answers, requests work again.
    _, reply = await bot.command(EMPLOYEE, "help")
    assert "/secondment list" in (await bot.reply_to(reply)).text
