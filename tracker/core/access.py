"""Deny by default: every view declares who may use it, and undeclared views answer 403."""

from __future__ import annotations

from typing import Callable

from flask import abort, current_app, request

PUBLIC = "public"


def access(rule: str) -> Callable:
    """Declare who may use a view; the rule is checked before the view runs."""

    def decorate(view: Callable) -> Callable:
        view.access_rule = rule
        return view

    return decorate


def public(view: Callable) -> Callable:
    """Declare a view open to anyone, signed in or not."""
    return access(PUBLIC)(view)


def rule_for(endpoint: str | None) -> str | None:
    if endpoint == "static":
        return PUBLIC
    view = current_app.view_functions.get(endpoint or "")
    return getattr(view, "access_rule", None)


def enforce() -> None:
    """Refuse any request whose view has not declared an access rule.

    :raise 403: the view declares no rule.
    """
    if request.endpoint is None:
        return  # no route matched: Flask answers 404 or 405 itself
    rule = rule_for(request.endpoint)
    if rule is None:
        current_app.logger.warning("access denied: view %s declares no access rule", request.endpoint)
        abort(403)
