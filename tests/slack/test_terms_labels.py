"""Every field of the terms has its label (bot/slack/builders/terms.py), which the changes
listed in the thread and the written record name it by: a new field on the request form
without one fails here."""

from __future__ import annotations

from dataclasses import fields

import pytest

from bot.domain.terms import Terms
from bot.slack.builders.terms import LABELS


@pytest.mark.parametrize("name", [field.name for field in fields(Terms)])
def test_every_field_of_the_terms_has_its_label(name: str) -> None:
    assert LABELS[name]


def test_no_label_names_a_field_the_terms_do_not_have() -> None:
    assert set(LABELS) == {field.name for field in fields(Terms)}
