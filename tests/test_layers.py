"""The layers of docs/DESIGN.md ("The shape"), checked on the source: which package may import
which, and that no ORM row leaves bot/services/ (issue 21: domain types at the seams).

Imports are read with `ast` from every module under bot/, so a new module is checked the day it
is added; the ORM check follows the type hints of what other layers import from the services.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.domain.record import SecondmentRecord
from bot.models import Base, Secondment
from bot.services.loading import Loaded

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(BOT.rglob("*.py"))}


def _imports(path: Path) -> Iterator[tuple[str, list[str]]]:
    """Each `bot` module the file imports, with the names it takes from it."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "bot" or node.module.startswith("bot."):
                yield node.module, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("bot."):
                    yield alias.name, []


def _in(module: str, *packages: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


# What each layer may not import: the arrows run slack -> services -> domain, and the database's
# models belong to the services alone. The sandbox and the stand-in of Slack are tools around the
# product, which never reaches for them.
TOOLS = ("bot.sandbox", "bot.slack_standin")
FORBIDDEN = {
    "bot.domain": ("bot.services", "bot.slack", "bot.models", "bot.db", *TOOLS),
    "bot.services": ("bot.slack", *TOOLS),
    "bot.slack.builders": (
        "bot.services",
        "bot.models",
        "bot.db",
        "bot.slack.listeners",
        "bot.slack.delivery",
        *TOOLS,
    ),
    "bot.slack": ("bot.models", *TOOLS),
}


def _violations() -> list[str]:
    found = []
    for name, path in _modules().items():
        # The most specific layer that holds the module says what it may not import.
        layer = max((p for p in FORBIDDEN if _in(name, p)), key=len, default=None)
        if layer is None:
            continue
        for imported, _ in _imports(path):
            if _in(imported, *FORBIDDEN[layer]):
                found.append(f"{name} imports {imported}")
    return found


def test_each_layer_imports_only_the_layers_below_it() -> None:
    assert _violations() == []


def test_the_layer_check_sees_a_builder_that_reads_a_service(tmp_path: Path) -> None:
    """The check above cannot pass by reading nothing: a builder importing a service is seen."""
    builder = tmp_path / "builder.py"
    builder.write_text("from bot.services.loading import load_record\nimport bot.models\n")
    imported = [module for module, _ in _imports(builder)]
    assert imported == ["bot.services.loading", "bot.models"]
    assert all(_in(m, *FORBIDDEN["bot.slack.builders"]) for m in imported)
    assert len(_modules()) > 100


def _orm_classes_in(hint: object, seen: set[object]) -> set[type]:
    """The ORM classes a type hint can carry: through generics, unions and dataclass fields."""
    if hint in seen:
        return set()
    seen.add(hint)
    if isinstance(hint, type) and issubclass(hint, Base):
        return {hint}
    found: set[type] = set()
    for arg in typing.get_args(hint):
        found |= _orm_classes_in(arg, seen)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        for field_type in typing.get_type_hints(hint).values():
            found |= _orm_classes_in(field_type, seen)
    return found


def _taken_from_services() -> set[tuple[str, str]]:
    """(module, name) for every name a module outside bot/services/ imports from the services."""
    taken = set()
    for name, path in _modules().items():
        if _in(name, "bot.services"):
            continue
        for imported, names in _imports(path):
            if _in(imported, "bot.services"):
                taken |= {(imported, n) for n in names}
    return taken


def test_no_orm_row_leaves_the_services() -> None:
    """What the other layers take from bot/services/ (a call's result, a value) is a domain type:
    an ORM object handed out would let a listener or builder read, or change, the database."""
    taken = _taken_from_services()
    assert len(taken) > 50  # the listeners' calls and results are all read
    carried = {}
    for module, name in sorted(taken):
        value = getattr(importlib.import_module(module), name)
        if isinstance(value, type):
            hint: object = value
        elif callable(value):
            hint = typing.get_type_hints(value).get("return")
        else:
            continue
        orm = _orm_classes_in(hint, set())
        if orm:
            carried[f"{module}.{name}"] = sorted(c.__name__ for c in orm)
    assert carried == {}


@pytest.mark.parametrize(
    ("hint", "expected"),
    [
        (list[Secondment] | None, {"Secondment"}),
        (Loaded, {"Secondment", "Escalation", "CheckIn", "Decision"}),
        (SecondmentRecord, set()),
    ],
)
def test_the_orm_check_follows_generics_and_dataclasses(hint: object, expected: set[str]) -> None:
    assert {c.__name__ for c in _orm_classes_in(hint, set())} == expected
