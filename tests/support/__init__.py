"""What the tests share: the harness that drives the bot, Slack's stand-in, forms, seeds."""
