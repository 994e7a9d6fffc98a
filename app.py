"""Run Secondment Mediator from a checkout: `python app.py` serves the bot until stopped, and
`python app.py --sandbox` runs it locally with a stand-in of Slack and a page to try it in the
browser. The installed command, `secondment-bot`, runs the same code (bot/cli.py), and adds
`migrate` and `check`."""

from __future__ import annotations

import argparse
import sys

from bot import cli
from bot.sandbox.run import DEFAULT_PORT


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
        return cli.main(["sandbox", "--port", str(args.port or DEFAULT_PORT)])
    if args.port is not None:
        parser.error("--port goes with --sandbox (the bot's own port is the PORT setting)")
    return cli.main(["serve"])


if __name__ == "__main__":
    sys.exit(main())
