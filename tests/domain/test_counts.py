"""Counts in words (bot/domain/counts.py): a number and its noun agree."""

from __future__ import annotations

import pytest

from bot.domain.counts import count_of


@pytest.mark.parametrize(
    ("count", "noun", "plural", "words"),
    [
        (0, "request", None, "0 requests"),
        (1, "request", None, "1 request"),
        (2, "week", None, "2 weeks"),
        (1500, "secondment", None, "1,500 secondments"),
        (1, "reply", "replies", "1 reply"),
        (2, "reply", "replies", "2 replies"),
    ],
)
def test_a_number_and_its_noun_agree(count: int, noun: str, plural: str | None, words: str) -> None:
    assert count_of(count, noun, plural) == words
