"""The container files, checked piece by piece where Docker cannot run (docs/DEPLOYMENT.md): a
two-stage image that runs unprivileged, keeps the SQLite default in a volume its user owns,
checks its health and bakes in no settings; a .dockerignore that keeps secrets and local state
out; and compose's two profiles, a trial needing no .env and production on PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from dockerfile_parse import DockerfileParser

ROOT = Path(__file__).resolve().parent.parent


def instructions() -> list[dict[str, Any]]:
    parser = DockerfileParser(path=str(ROOT / "Dockerfile"))
    return list(parser.structure)


def final_stage() -> list[dict[str, Any]]:
    steps = instructions()
    last_from = max(i for i, step in enumerate(steps) if step["instruction"] == "FROM")
    return steps[last_from:]


def values(steps: list[dict[str, Any]], instruction: str) -> list[str]:
    return [str(step["value"]) for step in steps if step["instruction"] == instruction]


def test_the_image_is_built_in_two_stages_and_ships_no_source_tree() -> None:
    assert len(values(instructions(), "FROM")) == 2
    final = final_stage()
    copies = values(final, "COPY")
    assert copies == ["--from=build /wheels /wheels"]  # only the wheels, from the build stage


def test_the_bot_runs_unprivileged_with_its_data_in_a_volume_it_owns() -> None:
    final = final_stage()
    (user,) = values(final, "USER")
    assert user not in ("root", "0")
    assert any(f"chown {user}:{user} /data" in run for run in values(final, "RUN"))
    assert values(final, "VOLUME") == ['["/data"]']
    env = " ".join(values(final, "ENV"))
    assert "DATABASE_URL=sqlite+aiosqlite:////data/" in env
    # The user is set before the command, so nothing after it runs as root.
    names = [step["instruction"] for step in final]
    assert names.index("USER") < names.index("CMD")


def test_the_image_checks_its_health_and_serves_with_the_command() -> None:
    final = final_stage()
    (health,) = values(final, "HEALTHCHECK")
    assert "/healthz" in health
    assert values(final, "CMD") == ['["secondment-bot", "serve"]']
    assert values(final, "STOPSIGNAL") == ["SIGTERM"]


def test_no_settings_are_baked_in() -> None:
    for step in instructions():
        if step["instruction"] in ("COPY", "ADD"):
            assert ".env" not in str(step["value"]), step
        if step["instruction"] == "ENV":
            assert "SLACK_" not in str(step["value"]), step
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    for kept_out in (".env", ".venv/", ".git/", "*.db", ".sandbox/"):
        assert kept_out in ignored, kept_out


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_compose_runs_a_trial_without_any_settings() -> None:
    sandbox = compose()["services"]["sandbox"]
    assert sandbox["profiles"] == ["sandbox"]
    assert "env_file" not in sandbox and "environment" not in sandbox
    assert sandbox["command"][:2] == ["secondment-bot", "sandbox"]
    assert sandbox["ports"] == ["127.0.0.1:3920:3920"]  # this machine only


def test_compose_runs_production_on_postgresql() -> None:
    services = compose()["services"]
    bot, db = services["bot"], services["db"]
    assert bot["profiles"] == db["profiles"] == ["production"]
    assert bot["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert bot["env_file"] == [{"path": ".env", "required": False}]
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
