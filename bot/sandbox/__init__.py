"""The sandbox: the real bot with a local stand-in of Slack and a web page that shows the
workspace as each persona sees it, so the bot can be tried without a Slack workspace."""
