"""Security headers and generic error pages, the same for every domain."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel.dates import format_date
from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import get_locale, to_user_timezone
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from tracker.core.access import security_log
from tracker.core.errors import Conflict, Refused

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

_MESSAGES = {
    400: lambda: _("The request could not be understood. Please go back and try again."),
    403: lambda: _("You do not have permission to see this page."),
    404: lambda: _("There is nothing at this address."),
    405: lambda: _("This address does not accept that kind of request."),
    409: lambda: _("Someone else changed this in the meantime. Nothing was saved."),
    413: lambda: _("The file or form you sent is too large."),
    429: lambda: _("Too many attempts. Please wait a minute and try again."),
    500: lambda: _("Something went wrong on our side. Nothing was changed; please try again."),
}


MAX_ID = 2**31 - 1  # the largest integer a database id column holds on both engines


def id_arg(value: str | None) -> int | None:
    """Read an id or sequence number from a query string; None when it is not one."""
    value = (value or "").strip()
    return int(value) if value.isdigit() and int(value) <= MAX_ID else None


class IdConverter(IntegerConverter):
    """A database id in a URL: a positive integer that fits the column, else no route (404)."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=MAX_ID)


@lru_cache(maxsize=4096)
def _formatted_day(day: date, format: str, locale: str) -> str:
    return format_date(day, format, locale=locale)


def dateformat(value: date | datetime, format: str = "medium") -> str:
    """Flask-Babel's ``dateformat`` filter, remembered: a table of 300 rows shows a few days."""
    if isinstance(value, datetime):
        value = to_user_timezone(value).date()
    return _formatted_day(value, format, str(get_locale()))


def html_datetime(value: date | datetime) -> str:
    """Return a date, or a time to the second, as the ``datetime`` attribute of ``<time>`` wants it.

    HTML allows at most three digits of a second's fraction; ``isoformat()`` writes six.
    """
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"get_locale": get_locale})
    app.jinja_env.filters["dateformat"] = dateformat
    app.jinja_env.filters["html_datetime"] = html_datetime
    app.after_request(_security_headers)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(Refused, _refused)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_user and current_user.is_authenticated:
        headers["Cache-Control"] = "no-store"
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def _refused(error: Refused):
    """A refusal no view turned into a form message (a concurrent change at commit): 409 or 400.

    The request was rolled back already (``tracker.core.transaction``).
    """
    if _wants_json():
        return _json_error(error.status, error.message, error.field)
    title = _("Changed meanwhile") if isinstance(error, Conflict) else _("Not saved")
    return render_template("error.html", code=error.status, title=title, message=error.message), error.status


def _csrf_error(error: CSRFError):
    security_log.warning("CSRF check failed at %s from %s: %s", request.path, request.remote_addr, error.description)
    message = _("This form has expired or did not come from this site. Nothing was saved: go back, reload the page and try again.")
    return render_template("error.html", code=400, title=_("Form expired"), message=message), 400


def answer_json_under(app: Flask, prefix: str) -> None:
    """Answer errors under ``prefix`` with a JSON body rather than the error page."""
    app.extensions.setdefault("tracker.json_prefixes", []).append(prefix)


def _wants_json() -> bool:
    return request.path.startswith(tuple(current_app.extensions.get("tracker.json_prefixes", ())))


def _json_error(code: int, message: str, field: str | None = None):
    detail = {"status": code, "message": message}
    if field:
        detail["field"] = field
    return jsonify({"error": detail}), code


def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    message = _MESSAGES.get(error.code, lambda: error.description)()
    if _wants_json():
        return _json_error(error.code, getattr(error, "api_message", None) or message, getattr(error, "field", None))
    response = render_template("error.html", code=error.code, title=error.name, message=message)
    return response, error.code


def _unexpected_error(error: Exception):
    """Log and answer a generic 500; the request was rolled back already."""
    current_app.logger.exception("unhandled error")
    if _wants_json():
        return _json_error(500, _MESSAGES[500]())
    try:
        page = render_template("error.html", code=500, title="Internal Server Error", message=_MESSAGES[500]())
    except Exception:  # the page itself failed: answer plainly rather than not at all
        current_app.logger.exception("error page failed")
        page = "Internal Server Error"
    return page, 500
