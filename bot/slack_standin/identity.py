"""Who the app is in a stand-in's workspace, and where that workspace is: what auth.test answers
and what Slack adds to the messages and views it hands back."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Identity:
    """The app's first workspace (its id, name and URL) and the app's ids in it."""

    team_id: str
    team_name: str
    url: str  # the workspace's address, as https://<name>.slack.com/
    bot_user: str
    bot_id: str
    app_id: str

    def permalink(self, channel: str, ts: str) -> str:
        """A message's link, as chat.getPermalink makes them."""
        return f"{self.url}archives/{channel}/p{ts.replace('.', '')}"
