"""A person's link to their calendar feed, as the service hands it to the builder that shows it
(the feed itself is computed on each request: docs/DESIGN.md, decision 13)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CalendarLink:
    """A person's feed token and its version; `reset_already` when a reset asked for had
    already been made (a second click, an old message), so this is the link it made."""

    token: str
    version: int
    reset_already: bool = False
