"""Secondment Mediator: a Slack bot that runs a secondment from the first request to the return."""
