"""Plain-text snapshots under tests/snapshots/: what the bot says, kept in files a reviewer reads,
so that a change of wording shows in the diff. `UPDATE_SNAPSHOTS=1` writes them anew.

A file may hold one text (`check_snapshot`) or one section per test case (`check_section`):
parallel workers each write their own section under a lock, so one run updates them all."""

from __future__ import annotations

import difflib
import fcntl
import os
from pathlib import Path

SNAPSHOTS = Path(__file__).parent.parent / "snapshots"
_HEADING = "######## "


def _updating() -> bool:
    return bool(os.environ.get("UPDATE_SNAPSHOTS"))


def _differ(expected: str, text: str) -> str:
    diff = "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True), text.splitlines(keepends=True), "snapshot", "run"
        )
    )
    return f"the words changed; if that is meant, run with UPDATE_SNAPSHOTS=1:\n{diff}"


def check_snapshot(name: str, text: str) -> None:
    """`text` is what tests/snapshots/`name` holds."""
    path = SNAPSHOTS / name
    if _updating():
        path.write_text(text)
    expected = path.read_text()
    assert text == expected, _differ(expected, text)


def _sections(whole: str) -> dict[str, str]:
    sections: dict[str, str] = {}
    heading = None
    for line in whole.splitlines(keepends=True):
        if line.startswith(_HEADING):
            heading = line[len(_HEADING) :].rstrip("\n")
            sections[heading] = ""
        elif heading is not None:
            sections[heading] += line
    return sections


def sections(name: str) -> dict[str, str]:
    """The sections of tests/snapshots/`name`, by heading."""
    return _sections((SNAPSHOTS / name).read_text())


def check_section(name: str, heading: str, text: str) -> None:
    """`text` is what the section headed `heading` of tests/snapshots/`name` holds. Sections
    are kept in the order of their headings."""
    path = SNAPSHOTS / name
    body = text.rstrip("\n") + "\n\n"
    if _updating():
        path.touch()
        with path.open("r+") as file:
            fcntl.flock(file, fcntl.LOCK_EX)  # the other workers write theirs in turn
            sections = _sections(file.read()) | {heading: body}
            file.seek(0)
            file.truncate()
            file.write("".join(f"{_HEADING}{h}\n{sections[h]}" for h in sorted(sections)))
    expected = _sections(path.read_text()).get(heading, "")
    assert body == expected, _differ(expected, body)
