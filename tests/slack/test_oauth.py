"""OAuth distribution end to end: a workspace installs the app through /slack/install and
Slack's redirect, the installation lands in our database, and that workspace's requests are
authorized with its own stored token. A redirect that does not carry the state the install page
issued installs nothing; uninstalling or revoking the tokens forgets the workspace, audited."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from sqlalchemy import select

from bot.models import AuditEvent
from bot.settings import BOT_SCOPES
from bot.slack.ids import Callback
from bot.slack.workspaces import STATE_EXPIRATION_SECONDS
from tests.support import wire
from tests.support.harness import EMPLOYEE, HOME, Harness
from tests.support.oauth import (
    B_EMPLOYEE,
    B_HOME,
    OAUTH,
    REDIRECT_URI,
    TEAM_A,
    TEAM_B,
    install,
    installers,
    open_install_page,
    return_from_slack,
    stored_bots,
    token_of,
    two_workspaces,
)
from tests.support.standin import APP_ID, BOT_TOKEN, BOT_USER_ID, CLIENT_ID

pytestmark = pytest.mark.settings(**OAUTH)


async def test_a_workspace_installs_the_app_and_its_requests_use_its_token(bot: Harness) -> None:
    bot.slack.add_user(B_EMPLOYEE, team=TEAM_B)
    link, cookie = await open_install_page(bot)

    asked = {name: values[0] for name, values in parse_qs(urlsplit(link).query).items()}
    assert link.startswith("https://slack.com/oauth/v2/authorize?")
    assert asked["client_id"] == CLIENT_ID
    assert asked["scope"] == ",".join(BOT_SCOPES)
    assert asked["redirect_uri"] == REDIRECT_URI
    assert asked["state"] == cookie

    redirect = bot.slack.authorize(link, team_id=TEAM_B, team_name="Beta", installer=B_HOME)
    response = await return_from_slack(bot, redirect, cookie)

    assert response.status == 200, await response.text()
    (exchange,) = bot.slack.sent("oauth.v2.access")
    assert exchange.error is None  # the stand-in checked the client id and secret
    assert exchange.body["redirect_uri"] == REDIRECT_URI
    assert exchange.body["code"] == parse_qs(urlsplit(redirect).query)["code"][0]
    (token,) = bot.slack.tokens
    assert await stored_bots(bot) == [(TEAM_B, token)]
    assert bot.deps.workspaces is not None
    installation = await bot.deps.workspaces.installations.async_find_installation(
        enterprise_id=None, team_id=TEAM_B
    )
    assert installation is not None
    assert (installation.app_id, installation.team_name) == (APP_ID, "Beta")
    assert (installation.user_id, installation.bot_scopes) == (B_HOME, list(BOT_SCOPES))

    # A slash command from the new workspace: authorized, and answered with its token.
    await bot.post(
        wire.slash_command(B_EMPLOYEE, "request", bot.new_response_url(), team_id=TEAM_B)
    )

    opened = await bot.opened_modal(Callback.REQUEST)
    assert opened.team == TEAM_B
    assert {c.team for c in bot.slack.calls} == {None, TEAM_B}  # None: the code exchange


async def test_the_redirect_back_is_refused_without_the_state_the_install_page_set(
    bot: Harness,
) -> None:
    link, cookie = await open_install_page(bot)
    redirect = bot.slack.authorize(link, team_id=TEAM_B, team_name="Beta", installer=B_HOME)
    code = parse_qs(urlsplit(redirect).query)["code"][0]

    no_cookie = await return_from_slack(bot, redirect, None)
    other_browser = await return_from_slack(bot, redirect, "a-state-of-another-browser")
    forged = await return_from_slack(bot, f"{REDIRECT_URI}?code={code}&state=forged", "forged")

    assert (no_cookie.status, other_browser.status, forged.status) == (400, 400, 401)
    assert bot.slack.sent("oauth.v2.access") == []
    assert await stored_bots(bot) == []
    # The state is still good: the same redirect with the right cookie installs.
    assert (await return_from_slack(bot, redirect, cookie)).status == 200
    assert [team for team, _ in await stored_bots(bot)] == [TEAM_B]


async def test_a_state_is_good_once_and_not_after_it_expires(
    bot: Harness, clock: time_machine.Traveller
) -> None:
    await install(bot, TEAM_B, installer=B_HOME)
    link, cookie = await open_install_page(bot)
    redirect = bot.slack.authorize(link, team_id=TEAM_A, team_name="Alpha", installer=HOME)

    clock.shift(timedelta(seconds=STATE_EXPIRATION_SECONDS + 1))
    expired = await return_from_slack(bot, redirect, cookie)

    assert expired.status == 401
    assert len(bot.slack.sent("oauth.v2.access")) == 1  # B's install only
    assert [team for team, _ in await stored_bots(bot)] == [TEAM_B]


async def test_a_code_slack_does_not_know_installs_nothing(bot: Harness) -> None:
    link, cookie = await open_install_page(bot)
    state = parse_qs(urlsplit(link).query)["state"][0]

    response = await return_from_slack(bot, f"{REDIRECT_URI}?code=made-up&state={state}", cookie)

    assert response.status == 401
    (exchange,) = bot.slack.sent("oauth.v2.access")
    assert exchange.error == "invalid_code"
    assert await stored_bots(bot) == []


async def test_uninstalling_forgets_only_that_workspace_and_is_audited(bot: Harness) -> None:
    bot.expect_errors = True  # checked below: B's later command finds no installation
    a, b = await two_workspaces(bot)
    a_token = token_of(bot, TEAM_A)
    bot.slack.uninstall(TEAM_B)

    response = await b.send_event({"type": "app_uninstalled"})

    assert response.status == 200
    assert await stored_bots(bot) == [(TEAM_A, a_token)]
    assert bot.deps.workspaces is not None
    assert (
        await bot.deps.workspaces.installations.async_find_installation(
            enterprise_id=None, team_id=TEAM_B
        )
        is None
    )
    paused, event = await audit_events(bot)
    assert (event.secondment_id, event.actor_id, event.action) == (None, "slack", "app_uninstalled")
    assert event.detail == {"team_id": TEAM_B, "enterprise_id": None}
    assert (paused.action, paused.detail) == (
        "delivery_paused",
        {"team_id": TEAM_B, "reason": "app_uninstalled"},
    )

    # B's people are told the app is gone; A works on.
    _, b_reply = await b.command(B_EMPLOYEE, "list")
    _, a_reply = await a.command(EMPLOYEE, "list")
    assert "no longer available" in (await bot.reply_to(b_reply)).text
    assert "You have no secondments yet" in (await bot.reply_to(a_reply)).text
    (logged,) = bot.errors.records
    assert "should be installed into this workspace" in logged.getMessage()


async def test_a_revoked_bot_token_forgets_the_workspace_and_is_audited(bot: Harness) -> None:
    _, b = await two_workspaces(bot)
    a_token = token_of(bot, TEAM_A)

    revoked = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [BOT_USER_ID]}}
    response = await b.send_event(revoked)

    assert response.status == 200
    assert await stored_bots(bot) == [(TEAM_A, a_token)]
    assert await installers(bot) == [(TEAM_A, HOME)]
    paused, event = await audit_events(bot)
    assert (event.action, event.actor_id, event.secondment_id) == ("tokens_revoked", "slack", None)
    assert event.detail == {"team_id": TEAM_B, "enterprise_id": None, "bot": True, "user_tokens": 0}
    assert (paused.action, paused.detail["team_id"]) == ("delivery_paused", TEAM_B)


async def test_revoked_user_tokens_leave_the_bot_installed(bot: Harness) -> None:
    _, b = await two_workspaces(bot)
    b_token = token_of(bot, TEAM_B)

    revoked = {"type": "tokens_revoked", "tokens": {"oauth": [B_HOME], "bot": []}}
    response = await b.send_event(revoked)

    assert response.status == 200
    assert (TEAM_B, b_token) in await stored_bots(bot)
    assert await installers(bot) == [(TEAM_A, HOME)]  # B_HOME's installation went
    (event,) = await audit_events(bot)
    assert (event.detail["bot"], event.detail["user_tokens"]) == (False, 1)


@pytest.mark.settings(slack_bot_token=BOT_TOKEN, slack_client_id=None, slack_client_secret=None)
async def test_in_single_workspace_mode_an_uninstall_is_audited(bot: Harness) -> None:
    assert bot.deps.workspaces is None

    response = await bot.send_event({"type": "app_uninstalled"})

    assert response.status == 200
    paused, event = await audit_events(bot)
    assert (event.action, event.detail["team_id"]) == ("app_uninstalled", TEAM_A)
    assert (paused.action, paused.detail["team_id"]) == ("delivery_paused", TEAM_A)


async def audit_events(bot: Harness) -> list[AuditEvent]:
    async with bot.sessions() as session:
        return list(await session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
