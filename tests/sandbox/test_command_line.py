"""`app.py`'s command line: `--port` is the sandbox's, and means nothing to the real bot."""

from __future__ import annotations

import pytest

from app import main


def test_port_without_sandbox_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--port", "4000"])
    assert exited.value.code == 2
    assert "--port goes with --sandbox" in capsys.readouterr().err
