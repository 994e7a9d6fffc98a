"""Run Secondment Mediator from a checkout: `python app.py` serves the bot until stopped, and
`python app.py --sandbox` runs it locally with a stand-in of Slack and a page to try it in the
browser. The installed command, `secondment-bot`, runs the same code (bot/cli.py), and adds
`migrate` and `check`."""

import sys

from bot.cli import from_checkout

if __name__ == "__main__":
    sys.exit(from_checkout())
