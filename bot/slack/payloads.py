"""The shapes of what Slack sends the bot, checked once a request is verified and before Bolt
dispatches it: a slash command, a button click (block_actions), a modal submission or close, and
an Events API delivery. Anything else, or one of these without what the bot relies on (who is
acting, which action, which view), is refused as malformed.

The models name only what the bot reads and let Slack add fields: Slack adds them often, and a
new field must never turn a real request away. They check; listeners still read Bolt's body.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

Id = Annotated[str, StringConstraints(min_length=1, max_length=255)]
# Where Slack takes a reply: an http(s) URL (https://hooks.slack.com/... from Slack itself).
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2000)]


class Malformed(Exception):
    """A verified request whose body the bot cannot act on; `reason` names what is wrong (field
    paths and error kinds, never the values sent)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


Json = dict[str, Any]


class _Shape(BaseModel):
    """A payload: what the bot reads is named below; the fields Bolt reads on every request to
    find the workspace, person and channel must have the types Slack gives them, since Bolt
    assumes them and a wrong one crashes it; anything else is let through."""

    model_config = ConfigDict(extra="allow", frozen=True)

    team: Json | None = None
    enterprise: Json | None = None
    authorizations: list[Json] | None = None
    channel: str | Json | None = None
    message: Json | None = None
    container: Json | None = None
    response_urls: list[Json] | None = None


class _Someone(_Shape):
    id: Id


class SlashCommand(_Shape):
    """A slash command, as the bot needs it."""

    command: Annotated[str, StringConstraints(pattern=r"^/")]
    user_id: Id
    team_id: str | None = None  # an org-wide install may name only the enterprise
    text: str = ""
    # Slack sends both with every command: the reply goes to one, a form opens with the other.
    response_url: Url
    trigger_id: Id


class _Action(_Shape):
    action_id: Id
    block_id: str | None = None
    value: str | None = None


class _ViewState(_Shape):
    values: dict[str, dict[str, dict[str, Any]]]


class _Surface(_Shape):
    """A view a button was clicked in: a modal, or the App Home."""

    id: Id
    type: Id
    callback_id: str = ""
    private_metadata: str = ""


class _View(_Surface):
    """A modal submitted or closed, with what was entered in it."""

    callback_id: str
    state: _ViewState


class BlockActions(_Shape):
    """A click on a button or a menu, as the bot needs it."""

    type: Literal["block_actions"]
    user: _Someone
    actions: list[_Action] = Field(min_length=1)
    trigger_id: str | None = None
    response_url: Url | None = None
    view: _Surface | None = None


class ViewSubmission(_Shape):
    """A modal submitted, as the bot needs it."""

    type: Literal["view_submission"]
    user: _Someone
    view: _View


class ViewClosed(_Shape):
    """A modal closed unsubmitted, as the bot needs it."""

    type: Literal["view_closed"]
    user: _Someone
    view: _View


class _Event(_Shape):
    type: Id
    user: str | Json | None = None


class EventCallback(_Shape):
    """An Events API delivery, as the bot needs it."""

    type: Literal["event_callback"]
    event_id: Id
    event: _Event


class UrlVerification(_Shape):
    """Slack's check that the events URL answers, when the app is set up."""

    type: Literal["url_verification"]
    challenge: Id


class AppRateLimited(_Shape):
    """Slack's notice that it dropped events for the app's rate limit."""

    type: Literal["app_rate_limited"]


class SslCheck(_Shape):
    """Slack's check of the bot's certificate."""

    ssl_check: Literal["1"]


Typed = Annotated[
    BlockActions | ViewSubmission | ViewClosed | EventCallback | UrlVerification | AppRateLimited,
    Field(discriminator="type"),
]
_TYPED: TypeAdapter[Typed] = TypeAdapter(Typed)


def parse_body(raw: str, content_type: str | None) -> dict[str, Any]:
    """The body as Bolt means to read it (`slack_bolt.request.internals.parse_body`): JSON for
    the Events API, `payload=<json>` for interactivity, plain form fields for a slash command.
    Unlike Bolt's, it refuses what is not an object, and it reads a slash command whose text or
    channel name holds the word "payload" as the command it is, where Bolt reads it as empty."""
    try:
        if content_type == "application/json" or raw.startswith("{"):
            body = json.loads(raw)
        else:
            form = dict(parse_qsl(raw, keep_blank_values=True))
            body = json.loads(form["payload"]) if "payload" in form else form
    except ValueError as error:
        raise Malformed("not JSON") from error
    except RecursionError as error:
        raise Malformed("JSON nested too deeply") from error
    if not isinstance(body, dict):
        raise Malformed(f"a JSON {type(body).__name__}, not an object")
    return body


def check_payload(body: dict[str, Any]) -> None:
    """Raise `Malformed` unless `body` is one of the payloads above, complete."""
    try:
        if "command" in body:
            SlashCommand.model_validate(body)
        elif "ssl_check" in body:
            SslCheck.model_validate(body)
        else:
            _TYPED.validate_python(body)
    except ValidationError as invalid:
        raise Malformed(_problems(invalid)) from invalid


def _problems(invalid: ValidationError) -> str:
    """Where the payload is wrong and how, for the log: a path's first three parts at most
    (deeper ones can be keys a sender chose), printable and short, never a value."""
    problems = (
        f"{'.'.join(str(part) for part in error['loc'][:3]) or 'body'}: {error['type']}"
        for error in invalid.errors(include_url=False, include_input=False)
    )
    text = "; ".join(problems)
    return "".join(c if c.isprintable() else "?" for c in text)[:300]
