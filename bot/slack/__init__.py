"""Everything that knows Slack: ids, the Web API client, builders, listeners and the web server."""
