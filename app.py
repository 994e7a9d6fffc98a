"""Run Secondment Mediator: read the settings, then serve until stopped."""

from __future__ import annotations

import asyncio
import sys

from bot.logs import configure_logging
from bot.runtime import serve
from bot.settings import SettingsError, load_settings


def main() -> int:
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        print("See .env.example and the README's configuration table.", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format, settings.secret_values())
    try:
        asyncio.run(serve(settings))
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
