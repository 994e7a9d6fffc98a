"""What else a stand-in's workspace hands out and keeps besides messages: the views (modals and
App Homes) as the bot sent them, where a response URL's reply goes, and uploaded files with the
link each has on the sandbox's page."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from bot.slack_standin.identity import Identity
from bot.slack_standin.wire import Json


@dataclass
class View:
    """A modal or a Home as the bot sent it, with the id, hash and field errors Slack adds."""

    id: str
    view: Json
    hash: str
    errors: dict[str, str] = field(default_factory=dict)

    def as_slack(self, app: Identity, values: dict[str, Json] | None = None) -> Json:
        """The view as Slack sends it back in a payload, with the state of its inputs."""
        return {
            "id": self.id,
            "team_id": app.team_id,
            "callback_id": "",
            "private_metadata": "",
            "external_id": "",
            **self.view,
            "state": {"values": values or {}},
            "hash": self.hash,
            "app_id": app.app_id,
            "bot_id": app.bot_id,
            "root_view_id": self.id,
            "previous_view_id": None,
        }


@dataclass(frozen=True, slots=True)
class Reply:
    """Where a response URL's reply goes: to whom, in which conversation, about which message."""

    user: str
    channel: str
    message_ts: str | None = None


@dataclass(frozen=True, slots=True)
class Upload:
    """A file the bot uploaded: its name and its bytes."""

    name: str
    content: bytes

    def shared(self, file_id: str) -> dict[str, str]:
        """The file as a message shows it: its name and its link."""
        return {"name": self.name, "url": file_path(file_id, self.name)}


def file_path(file_id: str, name: str) -> str:
    """A shared file's link, on the page's own server: the same after any restart."""
    return f"/files/{file_id}/{quote(name, safe='')}"
