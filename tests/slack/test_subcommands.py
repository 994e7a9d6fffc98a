"""Every `/secondment` subcommand has its answer in the table (bot/slack/listeners/commands.py),
and its line in the help; tests/slack/test_manifest.py checks the manifest's usage hint names
them all. A new member of `Subcommand` without its entry or its line fails here."""

from __future__ import annotations

import pytest

from bot.slack.builders.replies import HELP
from bot.slack.ids import Subcommand
from bot.slack.listeners.commands import ANSWERS


@pytest.mark.parametrize("subcommand", list(Subcommand))
def test_every_subcommand_has_its_answer(subcommand: Subcommand) -> None:
    assert subcommand in ANSWERS


@pytest.mark.parametrize("subcommand", list(Subcommand))
def test_every_subcommand_is_in_the_help(subcommand: Subcommand) -> None:
    assert f"`/secondment {subcommand}" in HELP
