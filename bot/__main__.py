"""`python -m bot`: the `secondment-bot` command (bot/cli.py), for a checkout without the
installed script."""

import sys

from bot.cli import main

sys.exit(main())
