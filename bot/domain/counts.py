"""Counts in words: "1 week", "2 weeks". A number and its noun always agree."""

from __future__ import annotations


def count_of(count: int, noun: str, plural: str | None = None) -> str:
    """`count` with `noun` in the number it calls for ("1 request", "2 requests", "1,500
    secondments"); `plural` where adding an s is wrong ("replies")."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"
