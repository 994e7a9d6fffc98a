"""What a person does on the sandbox page, sent to the bot as Slack sends it: a slash command,
a click in a message, a modal or the Home, a modal submitted or closed, the Home tab opened.

Each request is built with wire.py, signed with the sandbox's signing secret and posted to the
bot's real `/slack/events`; the bot verifies it like any request from Slack. What the bot answers
in the HTTP response is applied as Slack applies it: a command's ack text is an ephemeral reply,
a view_submission's `response_action` (errors, update, push, clear) changes the modal stack, and
an empty answer closes the submitted modal."""

from __future__ import annotations

import json
from dataclasses import dataclass

import aiohttp

from bot.sandbox import wire
from bot.slack_standin.personas import BOT, COMMANDS, PEOPLE, SLACKBOT, TEAM_ID
from bot.slack_standin.sandbox_face import SandboxSlack
from bot.slack_standin.validation import block_kit_problem
from bot.slack_standin.views import Reply, View
from bot.slack_standin.wire import Json
from bot.slack_standin.workspace import Workspace

PERSON_IDS = frozenset(person.id for person in PEOPLE)


class Refused(Exception):
    """The action cannot be taken (or the bot refused it); the message says why."""


@dataclass(frozen=True, slots=True)
class Answer:
    """What the bot answered a request with: its HTTP status and body."""

    status: int
    text: str

    def json(self) -> Json:
        """The answer as JSON (an ack of plain text as its `text`)."""
        try:
            parsed = json.loads(self.text) if self.text else {}
        except json.JSONDecodeError:
            return {"text": self.text}  # Bolt answers an ack with only text as plain text
        return parsed if isinstance(parsed, dict) else {}


class People:
    """The sandbox's people acting on the page, as Slack tells the bot of it."""

    def __init__(
        self,
        slack: SandboxSlack,
        events_url: str,
        signing_secret: str,
        session: aiohttp.ClientSession,
    ) -> None:
        self.slack = slack
        self.workspace: Workspace = slack.workspace
        self._events_url = events_url
        self._secret = signing_secret
        self._session = session

    async def command(self, user: str, channel: str, command: str, text: str) -> None:
        """A slash command typed in a conversation."""
        conversation = self.workspace.conversations.get(channel)
        if conversation is None or user not in conversation.members:
            raise Refused("channel_not_found")
        if command not in COMMANDS:
            # Slack's client answers this itself: no app hears of a command it does not have.
            self.workspace.post(channel, SLACKBOT.id, not_a_command(command), visible_to=user)
            return
        body = wire.slash_command(
            user,
            text,
            self._response_url(Reply(user, channel)),
            team_id=TEAM_ID,
            channel_id=channel,
            channel_name="directmessage" if conversation.kind == "dm" else conversation.name,
            command=command,
            trigger=self._trigger(user),
        )
        answer = (await self._send(body)).json()
        if answer.get("text") or answer.get("blocks"):
            self.workspace.post(
                channel, BOT.id, str(answer.get("text", "")), answer.get("blocks"), visible_to=user
            )

    async def act(self, user: str, source: Json, action: Json) -> None:
        """A click (or a choice) in a message, a modal or the Home."""
        action = {"type": "button", **action}
        if source.get("type") == "message":
            channel = str(source.get("channel"))
            conversation = self.workspace.conversations.get(channel)
            message = self.workspace.find(channel, str(source.get("ts")))
            if conversation is None or user not in conversation.members or message is None:
                raise Refused("message_not_found")
            body = wire.message_action(
                user,
                action,
                team_id=TEAM_ID,
                channel_id=channel,
                message=message.as_slack(self.workspace.app),
                response_url=self._response_url(Reply(user, channel, message.ts)),
                is_ephemeral=message.visible_to is not None,
                channel_name="directmessage" if conversation.kind == "dm" else "mpdm",
                trigger=self._trigger(user),
            )
        else:
            view = self._view(user, source)
            body = wire.view_action(
                user,
                action,
                team_id=TEAM_ID,
                view=view.as_slack(self.workspace.app),
                trigger=self._trigger(user),
            )
        await self._send(body)

    async def submit(self, user: str, view_id: str, values: dict[str, Json]) -> dict[str, str]:
        """Submit a modal; returns the field errors the bot answered with (none: accepted)."""
        view = self._modal(user, view_id)
        body = wire.view_submission(
            user,
            view.as_slack(self.workspace.app, values),
            team_id=TEAM_ID,
            trigger=self._trigger(user),
        )
        answer = (await self._send(body)).json()
        action = answer.get("response_action")
        workspace = self.workspace
        if action == "errors":
            view.errors = {str(k): str(v) for k, v in dict(answer.get("errors") or {}).items()}
            workspace.changed()
            return view.errors
        if action in ("update", "push"):
            problem = block_kit_problem("response_action", {"view": answer.get("view")})
            if problem:
                raise Refused(f"invalid_blocks: {problem}")
            if action == "update":
                workspace.replace(view, dict(answer["view"]))
            else:
                workspace.push(user, dict(answer["view"]))
        else:
            workspace.close(user, view_id, clear=action == "clear")
        return {}

    async def close(self, user: str, view_id: str) -> None:
        """The person closed a modal: Slack tells the bot when the view asked for it."""
        view = self._modal(user, view_id)
        self.workspace.close(user, view_id)
        if view.view.get("notify_on_close"):
            await self._send(
                wire.view_closed(user, view.as_slack(self.workspace.app), team_id=TEAM_ID)
            )

    async def open_home(self, user: str) -> None:
        """The person opened the bot's Home tab."""
        if user not in PERSON_IDS:
            raise Refused("user_not_found")
        home = self.workspace.homes.get(user)
        body = wire.app_home_opened(
            user,
            team_id=TEAM_ID,
            bot_user_id=BOT.id,
            view=home.as_slack(self.workspace.app) if home else None,
        )
        await self._send(body, content_type=wire.JSON)

    def _view(self, user: str, source: Json) -> View:
        view_id = str(source.get("view_id"))
        if source.get("type") == "home":
            home = self.workspace.homes.get(user)
            if home is None or home.id != view_id:
                raise Refused("not_found")
            return home
        return self._modal(user, view_id)

    def _modal(self, user: str, view_id: str) -> View:
        view = self.workspace.modal(user, view_id)
        if view is None:
            raise Refused("not_found")
        return view

    def _trigger(self, user: str) -> str:
        """A trigger id for this request; views.open with it opens a modal for this person."""
        trigger = wire.trigger_id()
        self.workspace.triggers[trigger] = user
        return trigger

    def _response_url(self, reply: Reply) -> str:
        name = self.workspace.new_id("R")
        self.workspace.replies[name] = reply
        return self.slack.response_url(name)

    async def _send(self, body: str, content_type: str = wire.FORM) -> Answer:
        headers = wire.sign(body, secret=self._secret, content_type=content_type)
        async with self._session.post(self._events_url, data=body, headers=headers) as response:
            answer = Answer(response.status, await response.text())
        if answer.status != 200:
            raise Refused(f"the bot answered HTTP {answer.status}: {answer.text[:200]}")
        return answer


def not_a_command(command: str) -> str:
    """Slackbot's words for a command the workspace does not have."""
    typed = command.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (
        f"{typed} is not a valid command. In Slack, all messages that start with the "
        '"/" character are interpreted as commands.\n\nIf you are trying to send a message '
        'that starts with a "/" character, try adding a space before the "/" character.'
    )
