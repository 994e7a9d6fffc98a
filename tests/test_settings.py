"""The OAuth settings: SLACK_CLIENT_ID and SLACK_CLIENT_SECRET together turn OAuth mode on and
replace SLACK_BOT_TOKEN; each wrong value is named, and no secret is repeated back. And the
HOLIDAYS calendar, checked when read and carried into the bot's policy."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.settings import BOT_SCOPES, Settings, SettingsError, load_settings
from bot.slack.deps import policy_from
from tests.support.standin import BOT_TOKEN, CLIENT_ID, CLIENT_SECRET
from tests.support.wire import SIGNING_SECRET

MANIFEST = Path(__file__).resolve().parent.parent / "manifest.json"
CREDENTIALS = {"slack_client_id": CLIENT_ID, "slack_client_secret": CLIENT_SECRET}


def _load(**values: Any) -> Settings:
    return load_settings(_env_file=None, slack_signing_secret=SIGNING_SECRET, **values)


def _problems(**values: Any) -> str:
    with pytest.raises(SettingsError) as refused:
        _load(**values)
    return str(refused.value)


def test_oauth_mode_needs_no_bot_token_and_asks_for_the_manifests_scopes() -> None:
    settings = _load(**CREDENTIALS)

    assert settings.oauth_mode
    assert settings.slack_bot_token is None
    assert settings.slack_redirect_uri is None
    manifest = json.loads(MANIFEST.read_text())
    assert list(settings.slack_scopes) == manifest["oauth_config"]["scopes"]["bot"]
    assert settings.slack_scopes == BOT_SCOPES


def test_single_workspace_mode_still_needs_the_bot_token() -> None:
    assert not _load(slack_bot_token=BOT_TOKEN).oauth_mode
    assert "SLACK_BOT_TOKEN is required but not set (or set SLACK_CLIENT_ID" in _problems()


@pytest.mark.parametrize(
    "credentials",
    [{"slack_client_id": CLIENT_ID}, {"slack_client_secret": CLIENT_SECRET}],
)
def test_the_client_id_and_secret_go_together(credentials: dict[str, str]) -> None:
    problems = _problems(**credentials)

    assert "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together" in problems
    assert CLIENT_SECRET not in problems


def test_a_bot_token_beside_the_oauth_credentials_is_refused() -> None:
    problems = _problems(**CREDENTIALS, slack_bot_token=BOT_TOKEN)

    assert "SLACK_BOT_TOKEN must be unset when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET" in problems
    assert BOT_TOKEN not in problems and CLIENT_SECRET not in problems


def test_malformed_oauth_settings_are_named() -> None:
    problems = _problems(
        slack_client_id="my-app",
        slack_client_secret=CLIENT_SECRET,
        slack_scopes="chat:write, Users Read",
        slack_redirect_uri="https://bot.example.com/oauth",
    )

    assert "SLACK_CLIENT_ID must be the app's Client ID" in problems
    assert (
        "SLACK_SCOPES must be bot scopes separated by commas; 'Users Read' is not one" in problems
    )
    assert "SLACK_REDIRECT_URI must be the bot's public /slack/oauth_redirect URL" in problems


def test_scopes_and_redirect_uri_are_read_as_given() -> None:
    settings = _load(
        **CREDENTIALS,
        slack_scopes="commands, chat:write",
        slack_redirect_uri="https://bot.example.com/slack/oauth_redirect",
    )

    assert settings.slack_scopes == ("commands", "chat:write")
    assert settings.slack_redirect_uri == "https://bot.example.com/slack/oauth_redirect"


def test_holidays_name_a_calendar_and_a_wrong_one_is_said_plainly() -> None:
    assert _load(slack_bot_token=BOT_TOKEN, holidays="gb-eng").holidays == "GB-ENG"
    assert _load(slack_bot_token=BOT_TOKEN).holidays == ""

    problems = _problems(slack_bot_token=BOT_TOKEN, holidays="GB-XYZ")
    assert (
        "HOLIDAYS must name a calendar of the holidays library: 'XYZ' is not a region of GB"
        in problems
    )
    assert "For example: HOLIDAYS=GB-ENG (or US-CA, DE-BY)" in problems


def test_the_bots_policy_skips_the_holidays_the_setting_names() -> None:
    settings = _load(slack_bot_token=BOT_TOKEN, holidays="GB-ENG")
    policy = policy_from(settings)
    assert date(2027, 3, 29) in policy.holidays
    assert date(2027, 3, 29) not in policy_from(_load(slack_bot_token=BOT_TOKEN)).holidays


def test_the_webhook_url_and_secret_go_together_and_are_checked() -> None:
    settings = _load(
        slack_bot_token=BOT_TOKEN,
        webhook_url="https://hr.example.com/hooks/secondments",
        webhook_secret="s3cret-shared-with-hr",
    )
    assert settings.webhook_url == "https://hr.example.com/hooks/secondments"
    assert _load(slack_bot_token=BOT_TOKEN, webhook_url="", webhook_secret="").webhook_url is None

    alone = _problems(slack_bot_token=BOT_TOKEN, webhook_url="https://hr.example.com/hooks")
    assert "WEBHOOK_URL and WEBHOOK_SECRET go together" in alone

    problems = _problems(
        slack_bot_token=BOT_TOKEN, webhook_url="hr.example.com/hooks", webhook_secret="short-one"
    )
    assert (
        "WEBHOOK_URL must be an http(s) URL such as https://hr.example.com/secondments" in problems
    )
    assert "WEBHOOK_SECRET must be 16 or more characters" in problems
    assert "short-one" not in problems


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("https://secondments.example.com/", "https://secondments.example.com"),
        ("http://127.0.0.1:3000/bot", "http://127.0.0.1:3000/bot"),
        ("", None),
    ],
)
def test_the_public_url_is_kept_without_its_trailing_slash(given: str, kept: str | None) -> None:
    assert _load(slack_bot_token=BOT_TOKEN, public_url=given).public_url == kept


@pytest.mark.parametrize(
    "given", ["calendar-host.internal", "ftp://files.internal", "https://x.internal/?a=1"]
)
def test_a_public_url_that_is_not_one_gets_one_plain_line(given: str) -> None:
    problems = _problems(slack_bot_token=BOT_TOKEN, public_url=given)
    assert "PUBLIC_URL must be the http(s) address the bot is reached at" in problems
    assert given not in problems


def test_every_setting_is_in_the_readmes_table_and_in_the_example_env_file() -> None:
    root = MANIFEST.parent
    readme = (root / "README.md").read_text()
    example = (root / ".env.example").read_text()
    names = [name.upper() for name in Settings.model_fields]

    assert [n for n in names if f"| `{n}` |" not in readme] == []
    assert [n for n in names if not re.search(rf"^(# )?{n}=", example, re.MULTILINE)] == []
