"""`app.py`'s command line (bot/cli.py `from_checkout`): `--port` is the sandbox's, and means
nothing to the real bot."""

from __future__ import annotations

import pytest

from bot.cli import from_checkout


def test_port_without_sandbox_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        from_checkout(["--port", "4000"])
    assert exited.value.code == 2
    assert "--port goes with --sandbox" in capsys.readouterr().err
