"""Exceptions that operations raise for the views and commands to turn into messages."""


class Refused(Exception):
    """The operation is not allowed in this state; nothing was changed.

    ``str()`` is a message for the person who asked, safe to show.
    """

    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class Conflict(Refused):
    """Someone else changed the object since it was read (a stale version)."""

    status = 409
