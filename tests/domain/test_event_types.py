"""Every type of event the HR system hears of has its line in the catalogue
(bot/domain/events_out.py) and its row in README.md's table, and a change whose action is in
neither the catalogue nor the named non-events is refused rather than left out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.domain.events_out import EVENT_TYPES, EventType, event_type

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize("kind", list(EventType))
def test_every_event_type_has_its_line(kind: EventType) -> None:
    assert EVENT_TYPES[kind]


@pytest.mark.parametrize("kind", list(EventType))
def test_every_event_type_is_sent_as_secondment_dot_its_change(kind: EventType) -> None:
    assert event_type(kind.value) == f"secondment.{kind.value}"


def test_the_readme_lists_every_event_type_and_no_other() -> None:
    text = README.read_text()
    table = text[text.index("| Type | The change |") :].split("\n\n", 1)[0]
    documented = set(re.findall(r"`secondment\.(\w+)`", table))

    assert documented == {kind.value for kind in EventType}


def test_an_action_the_catalogue_does_not_name_is_refused() -> None:
    with pytest.raises(ValueError):
        event_type("relocated")
