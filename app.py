"""Run Secondment Mediator: read the settings, then serve until stopped; or, with `--sandbox`,
run the bot locally with a stand-in of Slack and a page to try it in the browser."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Coroutine
from typing import Any

from bot.logs import configure_logging
from bot.runtime import serve
from bot.sandbox.run import DEFAULT_PORT, serve_sandbox
from bot.settings import SettingsError, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Secondment Mediator, a Slack bot.")
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="try the bot without Slack: a local stand-in of Slack and a page in the browser",
    )
    parser.add_argument(
        "--port",
        type=int,
        help=f"the sandbox page's port on 127.0.0.1 (default {DEFAULT_PORT})",
    )
    args = parser.parse_args(argv)
    if args.sandbox:
        return _run(serve_sandbox(args.port or DEFAULT_PORT))
    if args.port is not None:
        parser.error("--port goes with --sandbox (the bot's own port is the PORT setting)")
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        print("See .env.example and the README's configuration table.", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format, settings.secret_values())
    return _run(serve(settings))


def _run(serving: Coroutine[Any, Any, None]) -> int:
    try:
        asyncio.run(serving)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
