"""The tests' Slack: the recording face of the stand-in (bot/slack_standin/recording.py) as the
tests' workspace and app, with their bot token, app token and OAuth credentials."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.slack_standin.installs import SlackApp
from bot.slack_standin.recording import RecordingSlack

BOT_TOKEN = "xoxb-1111111111-2222222222222-StandInBotTokenForTests"
APP_TOKEN = "xapp-1-test-token"
TEAM_ID = "T0TEAM"
BOT_USER_ID = "U0BOT"
# The app's credentials for OAuth installs (Basic Information > App Credentials).
APP_ID = "A0APP"
CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
TESTS_APP = SlackApp(TEAM_ID, BOT_USER_ID, APP_ID, APP_TOKEN, CLIENT_ID, CLIENT_SECRET)


@dataclass
class SlackStandIn(RecordingSlack):
    """Slack as the tests meet it: the tests' app, installed in TEAM_ID with BOT_TOKEN (a test
    that plays OAuth installs clears `tokens` first)."""

    app: SlackApp = field(default=TESTS_APP, kw_only=True)
    tokens: dict[str, str] = field(default_factory=lambda: {BOT_TOKEN: TEAM_ID})
