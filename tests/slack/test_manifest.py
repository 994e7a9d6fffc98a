"""manifest.json is valid against Slack's published app-manifest schema (vendored in
tests/vendor/, see its README), and says what the code does: every event a listener takes is
subscribed, people can type in the bot's DM, and the command's hint names every subcommand."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

from bot.slack.ids import Event
from bot.slack.listeners.commands import ANSWERS

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "tests" / "vendor" / "slack_manifest.schema.1.0.0.json"
# The Events API name of each event the listeners take.
SUBSCRIBED_AS = {Event.MESSAGE: "message.im"}


def manifest() -> dict[str, Any]:
    loaded = json.loads((ROOT / "manifest.json").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_the_manifest_is_valid_against_slacks_schema() -> None:
    schema = json.loads(SCHEMA.read_text())
    validator = Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(manifest())]
    assert errors == []
    assert manifest()["_metadata"]["major_version"] == 1  # the schema vendored is version 1's


def test_the_schema_would_refuse_a_wrong_manifest() -> None:
    wrong = manifest()
    wrong["features"]["slash_commands"][0]["command"] = "secondment"  # no leading slash
    wrong["display_information"]["long_description"] = "Too short."
    schema = json.loads(SCHEMA.read_text())
    assert len(list(Draft7Validator(schema).iter_errors(wrong))) == 2


def test_every_event_a_listener_takes_is_subscribed() -> None:
    subscribed = set(manifest()["settings"]["event_subscriptions"]["bot_events"])
    assert {SUBSCRIBED_AS.get(event, event.value) for event in Event} == subscribed


def test_people_can_type_in_the_bots_dm() -> None:
    home = manifest()["features"]["app_home"]
    assert home["messages_tab_enabled"] is True
    assert home["messages_tab_read_only_enabled"] is False
    assert "im:history" in manifest()["oauth_config"]["scopes"]["bot"]


def test_the_usage_hint_names_every_subcommand() -> None:
    handled = {str(subcommand) for subcommand in ANSWERS}
    (command,) = manifest()["features"]["slash_commands"]
    hinted = set(re.findall(r"(?:^|\| |— HR: )(\w+)", command["usage_hint"]))
    assert hinted == handled
