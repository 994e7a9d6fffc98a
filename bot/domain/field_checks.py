"""The problems found on a form, field by field: `FieldErrors` maps a field's name to a message
that says what to change, and the Slack layer shows each on its modal field. `FieldChecker`
collects them while a form is read.
"""

from __future__ import annotations

FieldErrors = dict[str, str]  # field name -> what to change


class FieldChecker:
    """Collects the first problem found for each field of a form."""

    def __init__(self) -> None:
        self.errors: FieldErrors = {}

    def fail(self, name: str, message: str) -> None:
        """Note `message` on the field, unless it already has a problem."""
        self.errors.setdefault(name, message)

    def text(self, name: str, value: str | None, limit: int, *, required: bool = True) -> str:
        """The text typed, trimmed; a problem noted when it is missing or too long."""
        cleaned = (value or "").strip()
        if required and not cleaned:
            self.fail(name, "This is required.")
        elif len(cleaned) > limit:
            self.fail(name, f"Keep this to {limit} characters or fewer (it has {len(cleaned)}).")
        return cleaned

    def whole_number(self, name: str, value: str | None, low: int, high: int) -> int | None:
        """The number typed (None when empty); a problem noted when it is not in low..high."""
        if value is None or not value.strip():
            return None
        try:
            number = int(value.strip())
        except ValueError:
            self.fail(name, f"Enter a whole number from {low} to {high}.")
            return None
        if not low <= number <= high:
            self.fail(name, f"Enter a whole number from {low} to {high}.")
        return number
