"""HTTP plumbing of the JSON API: bearer authentication, JSON errors, bodies and arguments.

The views in ``tracker.api.views`` declare who may call them (``api_access``) and what they take and return
(``operation``); this module turns a request into those terms and a refusal into a JSON error.
"""

from __future__ import annotations

from flask import g, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from tracker.api import operations as tokens
from tracker.core.access import BEARER, PUBLIC, access, rule_for
from tracker.core.errors import Conflict, Refused, conflicts_on_concurrent_change
from tracker.core.web import MAX_ID
from tracker.extensions import db


class ApiError(HTTPException):
    """An error answered as JSON with a message, and the field at fault where there is one."""

    def __init__(self, code: int, message: str, field: str | None = None):
        super().__init__(description=message)
        self.code, self.api_message, self.field = code, message, field


def api_access(*rule):
    """Declare who may call an API view: PUBLIC, or roles holding a bearer token."""
    return access(BEARER, *rule)


def operation(summary: str, *, body=None, response=None, status: int = 200, query: tuple = (), ndjson: str | None = None,
              paged: bool = False):
    """Describe a view for the OpenAPI document.

    ``ndjson`` names the schema of one line when the view also streams application/x-ndjson;
    ``paged`` says that a response may carry a Link header to the next page.
    """

    def decorate(view):
        view.openapi = {"summary": summary, "body": body, "response": response, "status": status, "query": query,
                        "ndjson": ndjson, "paged": paged}
        return view

    return decorate


def authenticate():
    """Resolve the bearer token, if any, and apply the view's rule; sessions are never used here."""
    g.api_user = None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "Send the token as: Authorization: Bearer TOKEN.")
        g.api_user = tokens.user_for_token(token.strip())
        if g.api_user is None:
            raise ApiError(401, "The token is unknown or revoked, or its account is deactivated.")
    rule = rule_for(request.endpoint) or frozenset()
    if PUBLIC in rule:
        return
    if g.api_user is None:
        raise ApiError(401, "This needs a token: Authorization: Bearer TOKEN.")
    if g.api_user.role.value not in rule:
        raise ApiError(403, "Your role may not do this.")


def no_store(response):
    """Answers to a token holder are never cached."""
    if g.get("api_user") is not None:
        response.headers["Cache-Control"] = "no-store"
    return response


def body(model):
    """The request's JSON body validated by a schema; 400 when it is not JSON, 422 naming the field at fault."""
    if request.mimetype != "application/json":
        raise ApiError(400, "Send a JSON body with Content-Type: application/json.")
    try:
        return model.model_validate_json(request.get_data() or b"{}")
    except ValidationError as exc:
        problem = exc.errors()[0]
        if problem["type"] == "json_invalid":
            raise ApiError(400, "The body is not valid JSON.") from exc
        where = ".".join(str(p) for p in problem["loc"])
        field = str(problem["loc"][0]) if problem["loc"] else None
        raise ApiError(422, f"{where}: {problem['msg']}" if where else problem["msg"], field) from exc


def act(step):
    """Run an operation and flush; refusals become 409 (state, or a concurrent change) or 422 (a field).

    The request commits once after the view, or rolls back when it raised (``tracker.core.transaction``).
    """
    try:
        with conflicts_on_concurrent_change():
            result = step()
            db.session.flush()
    except Conflict as conflict:
        raise ApiError(409, conflict.message) from conflict
    except Refused as refused:
        raise ApiError(422 if refused.field else 409, refused.message, refused.field) from refused
    return result


def int_arg(name: str, default: int | None = None, low: int = 0, high: int = MAX_ID) -> int | None:
    """A whole-number query argument, or 422 naming it."""
    value = request.args.get(name, "")
    if value == "":
        return default
    if not value.isdigit() or int(value) < low or (high is not None and int(value) > high):
        raise ApiError(422, f"{name} must be a whole number from {low} to {high}", name)
    return int(value)
