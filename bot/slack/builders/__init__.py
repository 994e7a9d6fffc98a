"""Pure Block Kit builders (slack_sdk.models): state in, message or view out. No I/O."""
