"""Deny by default: every view declares who may use it, and undeclared views answer 403.

A rule is ``public`` (anyone), ``signed_in`` (any active account) or a set of role values.
Object-level scope (a focal point's own entity) is checked where the object is loaded, and
answers 404 so that another entity's data is not even shown to exist.
"""

from __future__ import annotations

import logging
from typing import Callable

from flask import abort, current_app, request
from flask_login import current_user

PUBLIC = "public"
SIGNED_IN = "signed_in"
BEARER = "bearer"  # the view checks a bearer token itself, never the session

security_log = logging.getLogger("tracker.security")


def access(*rule) -> Callable:
    """Declare who may use a view: ``access(PUBLIC)``, ``access(SIGNED_IN)`` or roles."""
    if not rule:
        raise ValueError("an access rule names at least one role, PUBLIC or SIGNED_IN")
    values = frozenset(getattr(r, "value", r) for r in rule)

    def decorate(view: Callable) -> Callable:
        view.access_rule = values
        return view

    return decorate


def public(view: Callable) -> Callable:
    """Declare a view open to anyone, signed in or not."""
    return access(PUBLIC)(view)


def rule_for(endpoint: str | None) -> frozenset | None:
    if endpoint == "static":
        return frozenset({PUBLIC})
    view = current_app.view_functions.get(endpoint or "")
    return getattr(view, "access_rule", None)


def allows(rule: frozenset, user) -> bool:
    if PUBLIC in rule:
        return True
    if not user.is_authenticated:
        return False
    return SIGNED_IN in rule or user.role.value in rule


def enforce():
    """Check the current request against its view's rule, before the view runs.

    :raise 403: the view declares no rule, or the user's role is not in it.
    """
    if request.endpoint is None:
        return None  # no route matched: Flask answers 404 or 405 itself
    rule = rule_for(request.endpoint)
    if rule is None:
        security_log.warning("denied: view %s declares no access rule", request.endpoint)
        abort(403)
    if BEARER in rule or allows(rule, current_user):
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    security_log.warning("denied: %s (%s) at %s", current_user.email, current_user.role.value, request.path)
    abort(403)
