"""The app as Slack knows it, and its installs by OAuth: each bot token belongs to one workspace
(`tokens`); `authorize` plays Slack's install page and `oauth.v2.access` exchanges its code for a
new workspace's bot token; `uninstall` revokes a workspace's tokens."""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

from bot.slack_standin.wire import Json


@dataclass(frozen=True)
class SlackApp:
    """The app's ids and credentials (Basic Information > App Credentials), and the workspace
    it was first installed in."""

    team_id: str
    bot_user_id: str
    app_id: str
    app_token: str
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class Grant:
    """An install the installer allowed on Slack's authorize page, waiting for its code to be
    exchanged: for which workspace, by whom, with which scopes and redirect URI."""

    team_id: str
    team_name: str
    installer: str
    scope: str
    redirect_uri: str | None


@dataclass
class Installs:
    """The bot tokens Slack has issued, by workspace, and the grants waiting for exchange."""

    app: SlackApp = field(kw_only=True)
    tokens: dict[str, str] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)  # by the code handed out
    _issued: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def authorize(self, url: str, *, team_id: str, team_name: str, installer: str) -> str:
        """Slack's authorize page, opened from the Add to Slack link `url`: the installer allows
        the app in their workspace. Returns where Slack sends the browser next: the redirect
        URI with a one-time code and the state the link carried."""
        query = {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
        assert query["client_id"] == self.app.client_id, query
        code = f"{team_id.lower()}.{next(self._issued)}.code"
        redirect_uri = query.get("redirect_uri")
        self.grants[code] = Grant(team_id, team_name, installer, query["scope"], redirect_uri)
        back = redirect_uri or "https://your-host.example.com/slack/oauth_redirect"
        return f"{back}?{urlencode({'code': code, 'state': query.get('state', '')})}"

    def uninstall(self, team_id: str) -> None:
        """The workspace removed the app: Slack revokes every token it issued there."""
        self.tokens = {token: team for token, team in self.tokens.items() if team != team_id}

    def _oauth_v2_access(self, body: Json, auth: str) -> Json:
        """oauth.v2.access: a grant's code, with the app's credentials, for a bot token."""
        app = self.app
        credentials = base64.b64encode(f"{app.client_id}:{app.client_secret}".encode()).decode()
        if auth != f"Basic {credentials}":
            return {"ok": False, "error": "invalid_client_id"}
        grant = self.grants.pop(str(body.get("code")), None)  # a code is good once
        if grant is None:
            return {"ok": False, "error": "invalid_code"}
        if body.get("redirect_uri") != grant.redirect_uri:
            return {"ok": False, "error": "bad_redirect_uri"}
        token = f"xoxb-{grant.team_id.lower()}-{next(self._issued)}"
        self.tokens[token] = grant.team_id
        return {
            "ok": True,
            "access_token": token,
            "token_type": "bot",
            "scope": grant.scope,
            "bot_user_id": app.bot_user_id,
            "app_id": app.app_id,
            "team": {"id": grant.team_id, "name": grant.team_name},
            "enterprise": None,
            "authed_user": {"id": grant.installer},
            "is_enterprise_install": False,
        }
