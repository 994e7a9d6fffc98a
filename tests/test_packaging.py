"""What an install (`pip install .`, not editable) carries: every package under bot/, the
migrations inside the package, the sandbox's page, and the `secondment-bot` command. The wheel
itself is built in the closing check of a release (README, "Install it as a package"); this
keeps pyproject.toml in step with the tree, so that no new package or file is left behind."""

from __future__ import annotations

import tomllib
from pathlib import Path

from bot.cli import main
from bot.db import migrations_directory

ROOT = Path(__file__).resolve().parent.parent
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_package_under_bot_and_the_migrations_are_listed() -> None:
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "bot").rglob("__init__.py")
    }
    assert set(SETUPTOOLS["packages"]) == found | {"bot.migrations", "bot.migrations.versions"}


def test_the_migrations_travel_inside_the_package() -> None:
    assert SETUPTOOLS["package-dir"] == {"bot.migrations": "migrations"}
    assert (ROOT / "migrations" / "env.py").is_file()
    assert SETUPTOOLS["package-data"]["bot.migrations"] == ["script.py.mako"]
    assert (ROOT / "migrations" / "script.py.mako").is_file()
    # In a checkout they are found beside bot/.
    assert migrations_directory() == ROOT / "migrations"


def test_the_sandbox_page_is_package_data() -> None:
    (pattern,) = SETUPTOOLS["package-data"]["bot.sandbox"]
    shipped = {p.name for p in (ROOT / "bot" / "sandbox").glob(pattern)}
    assert shipped == {"index.html", "sandbox.css", "sandbox.js"}


def test_the_command_is_the_cli() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"] == {"secondment-bot": "bot.cli:main"}
    assert callable(main)
