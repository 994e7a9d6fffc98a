"""Who is in the sandbox's workspace: one team, the bot, the four people the page lets you be, all
in Europe/London, and Slackbot, who answers a command no app has; and the slash commands the
workspace has, the app's own (manifest.json)."""

from __future__ import annotations

from dataclasses import dataclass

TEAM_ID = "T0SANDBOX"
TEAM_NAME = "Sandbox"
TIMEZONE = "Europe/London"


@dataclass(frozen=True, slots=True)
class Persona:
    """Someone in the sandbox's workspace: their user id, name and title."""

    id: str
    name: str
    title: str
    is_bot: bool = False


BOT = Persona("U0SANDBOT", "Secondment Mediator", "App", is_bot=True)
EMPLOYEE = Persona("U0SANDEMP", "Ada Employee", "Employee")
HOME_MANAGER = Persona("U0SANDHOME", "Hal Home", "Home manager")
HOST_MANAGER = Persona("U0SANDHOST", "Hope Host", "Host manager")
HR = Persona("U0SANDHR", "Harper HR", "HR")
PEOPLE = (EMPLOYEE, HOME_MANAGER, HOST_MANAGER, HR)
EVERYONE = {persona.id: persona for persona in (*PEOPLE, BOT)}
SLACKBOT = Persona("USLACKBOT", "Slackbot", "Slackbot", is_bot=True)
COMMANDS = frozenset({"/secondment"})
