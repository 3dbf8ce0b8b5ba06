"""Domain services: plain functions taking a session and arguments.

They know nothing of Flask's request; they flush but leave commit to the caller.
"""


class DomainError(Exception):
    """A rule of the program was broken; `message` is user-facing (already _()'d)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
