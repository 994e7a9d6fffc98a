"""How much of each App Home section shows, within Slack's 100 blocks.

Every section is a header, its items, a line saying how many there are, a "Show more" button and
a divider; an item takes a fixed number of blocks. So the view's size depends only on the limits
per section, never on how much data there is, and the limits are kept within a block budget.
The limits travel in the view's `private_metadata` and the button's value, and are read back
with `decode_limits` / `show_more`, which clamp whatever arrives to what fits: "Show more" on
one section keeps the others as they were when it all fits, and resets them when it does not.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.home_view import HomeSection

MAX_BLOCKS = 100  # Slack's limit for any view
FIXED_BLOCKS = 2  # the greeting (with the time away) and the footer
SECTION_BLOCKS = 4  # a section's header, count line, "Show more" and divider
ITEM_BLOCKS = {section: 1 for section in HomeSection} | {HomeSection.DECISIONS: 2}
ITEM_BUDGET = MAX_BLOCKS - FIXED_BLOCKS - SECTION_BLOCKS * len(HomeSection)
DEFAULT_LIMITS = {section: 5 for section in HomeSection}
STEP_BLOCKS = 10  # what one "Show more" adds to a section, in blocks

Limits = Mapping[HomeSection, int]


def _cost(limits: Limits) -> int:
    return sum(ITEM_BLOCKS[section] * count for section, count in limits.items())


def most(section: HomeSection) -> int:
    """The most items a section can show while every other section shows its default."""
    others = _cost({s: n for s, n in DEFAULT_LIMITS.items() if s is not section})
    return (ITEM_BUDGET - others) // ITEM_BLOCKS[section]


def _clamp(section: HomeSection, count: int) -> int:
    return min(max(count, DEFAULT_LIMITS[section]), most(section))


def _read(name: str, number: str) -> tuple[HomeSection, int] | None:
    """A section and its limit, clamped; None if either is not a section or a number."""
    if name not in {section.value for section in HomeSection} or not (
        number.isascii() and number.isdigit()
    ):
        return None
    section = HomeSection(name)
    # A number too long to be a limit is past the most anyway (and never worth parsing).
    return section, _clamp(section, int(number) if len(number) <= 4 else most(section))


def encode_limits(limits: Limits) -> str:
    """The limits as the view's `private_metadata` carries them."""
    return ",".join(f"{section.value}={limits[section]}" for section in HomeSection)


def decode_limits(metadata: str) -> dict[HomeSection, int]:
    """The limits a published Home carried; anything unreadable keeps its default."""
    limits = dict(DEFAULT_LIMITS)
    for part in metadata.split(","):
        name, _, number = part.partition("=")
        read = _read(name, number)
        if read is not None:
            limits[read[0]] = read[1]
    return limits if _cost(limits) <= ITEM_BUDGET else dict(DEFAULT_LIMITS)


def show_more(metadata: str, value: str) -> dict[HomeSection, int]:
    """The limits after "Show more": the button's section raised to what it asks (within what
    fits), the others kept as the Home showed them if that still fits, else reset."""
    limits = decode_limits(metadata)
    name, _, number = value.partition(":")
    read = _read(name, number)
    if read is None:
        return limits
    section, count = read
    limits[section] = count
    if _cost(limits) > ITEM_BUDGET:
        limits = {**DEFAULT_LIMITS, section: count}
    return limits
