"""Exceptions that operations raise for the views and commands to turn into messages."""

from contextlib import contextmanager


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


@contextmanager
def conflicts_on_concurrent_change():
    """Turn a concurrent change found at flush or commit into a Conflict.

    With PostgreSQL's READ COMMITTED, two requests can both pass the version check; the second
    one's UPDATE then matches no row (StaleDataError) or trips a unique index (IntegrityError).
    The session then needs a rollback, which ``tracker.core.transaction`` makes.
    """
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm.exc import StaleDataError

    try:
        yield
    except (StaleDataError, IntegrityError) as exc:
        raise Conflict("Someone else changed this at the same moment. Nothing of yours was saved; reload and try again.") from exc
