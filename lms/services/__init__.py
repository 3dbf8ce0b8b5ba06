"""Domain services: plain functions taking a session and arguments.

They know nothing of Flask's request; they flush but leave commit to the caller.
"""


class DomainError(Exception):
    """A rule of the program was broken; `message` is user-facing (already _()'d)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class Conflict(DomainError):
    """Another request changed the same data first (a lost race, or a state this
    request had not seen yet); nothing was written. Views answer 409."""
