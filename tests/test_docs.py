"""The documents the code cites exist: a citation a reader cannot follow is worse than none."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A path to a Markdown document, as the code cites one ("docs/DOMAIN.md friction 5").
CITED = re.compile(r"(?<![\w/.])((?:[\w.-]+/)*[A-Z][A-Z_]*\.md)\b")


def citations() -> dict[str, list[str]]:
    """Each document cited in bot/, migrations/ and app.py, with where."""
    found: dict[str, list[str]] = {}
    sources = [*(ROOT / "bot").rglob("*.py"), *(ROOT / "migrations").rglob("*.py")]
    for source in [*sources, ROOT / "app.py"]:
        for number, line in enumerate(source.read_text().splitlines(), 1):
            for cited in CITED.findall(line):
                found.setdefault(cited, []).append(f"{source.relative_to(ROOT)}:{number}")
    return found


def test_every_document_the_code_cites_is_in_the_repository() -> None:
    cited = citations()

    assert {"docs/DOMAIN.md", "docs/DESIGN.md"} <= cited.keys()
    missing = {doc: where for doc, where in cited.items() if not (ROOT / doc).is_file()}
    assert missing == {}


def test_a_citation_without_its_folder_is_found_missing() -> None:
    assert "DOMAIN.md" in CITED.findall('"""The rules (DOMAIN.md friction 1)."""')
    assert not (ROOT / "DOMAIN.md").is_file()
