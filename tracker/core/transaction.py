"""One commit per request and per command, in one place (as Indico's ``RH.process``).

Operations only flush. A request that may write (anything but GET, HEAD, OPTIONS) is committed
once, by ``Tracker.dispatch_request``, after its view returned normally; a request whose view, or
whose before-request hooks, raised is rolled back once, by ``Tracker.handle_user_exception``,
before the error handlers answer (a ``Refused`` becomes the 400 or 409 page, see
``tracker.core.web``). A concurrent change that only shows at that commit (a stale version, a
unique index) becomes a ``Conflict``, answered with the 409 page.

Safe methods never commit: whatever a GET might flush is discarded when the request's session
is removed at the end of the request (Flask-SQLAlchemy rolls it back). No view may therefore
write on GET, and none does; the read is not cut short either, so a streamed export keeps
reading in the request's transaction.

Views that show a refusal on their form use ``refusals``; commands that write use ``writes``.
No view or command calls commit or rollback itself.

Why a Flask subclass rather than wrapping every view function: it covers every endpoint,
including views registered after ``create_app`` (tests add some), keeps every attribute the
views carry (``access_rule``, the API's ``openapi``) without copying them, and sits exactly
where Flask calls the view, so before-request hooks and error handlers are ordered around it as
they are for any Flask app.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable

import click
from flask import Flask, flash, request

from tracker.core.errors import Conflict, Refused, conflicts_on_concurrent_change
from tracker.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def commit() -> None:
    """Commit the request's or command's work; a concurrent change becomes a Conflict."""
    with conflicts_on_concurrent_change():
        db.session.commit()


class Tracker(Flask):
    """The application: commits a request that succeeded, rolls back one that raised."""

    def dispatch_request(self):
        response = super().dispatch_request()
        if request.method not in SAFE_METHODS:
            commit()
        return response

    def handle_user_exception(self, e):
        db.session.rollback()
        return super().handle_user_exception(e)


@dataclass
class Attempt:
    """What ``refusals`` found: the refusal, if the operations were refused."""

    refused: Refused | None = None

    @property
    def ok(self) -> bool:
        return self.refused is None


@contextmanager
def refusals(form=None, default: str | None = None, *, conflicts: bool = False):
    """Run a view's operations; a refusal rolls them back and becomes a message for the person.

    The block is flushed before it ends, so that a stale version or a unique-index clash shows
    here, where the view still holds the person's text, rather than at the request's commit.
    The refusal goes on the form field it names (else ``default``), or is flashed when there is
    no form. A ``Conflict`` is raised on, after the rollback, to the 409 page or to a view that
    catches it (to show the saved version beside the kept text); with ``conflicts`` set it is
    a message like any other refusal.

        with refusals(form, "narrative") as attempt:
            operations.edit_update(...)
        if attempt.ok:
            return redirect(...)
    """
    attempt = Attempt()
    try:
        with conflicts_on_concurrent_change():
            yield attempt
            db.session.flush()
    except Refused as refused:
        db.session.rollback()
        if isinstance(refused, Conflict) and not conflicts:
            raise
        attempt.refused = refused
        if form is None:
            flash(refused.message, "error")
        else:
            field = getattr(form, refused.field or default, None) or getattr(form, default)
            field.errors = list(field.errors) + [refused.message]


def writes(command: Callable) -> Callable:
    """Make a CLI command one transaction: commit it when it returns, roll it back when it raises.

    A ``Refused`` (or a concurrent change) is printed as its message with a non-zero exit.
    """

    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            result = command(*args, **kwargs)
            commit()
        except Refused as refused:
            db.session.rollback()
            raise click.ClickException(refused.message) from refused
        except BaseException:
            db.session.rollback()
            raise
        return result

    return run

