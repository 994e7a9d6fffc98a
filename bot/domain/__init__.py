"""The secondment lifecycle as plain Python: vocabulary, terms, rules. No Slack, no SQL."""
