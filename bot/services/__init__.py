"""The operations that read and change secondments: one unit of work each, with its audit event."""
