"""The account page's API tokens: the HTML side of the API, with the session and CSRF of every page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.api import operations
from tracker.api.forms import TokenForm
from tracker.api.models import ApiToken
from tracker.core.access import SIGNED_IN, access
from tracker.extensions import db

bp = Blueprint("tokens", __name__)
# The account page (accounts) lists the tokens and offers the form, without importing the API.
bp.add_app_template_global(operations.tokens_of, "api_tokens_of")
bp.add_app_template_global(TokenForm, "api_token_form")


@bp.post("/account/tokens")
@access(SIGNED_IN)
def create():
    form = TokenForm()
    if not form.validate_on_submit():
        flash(_("Give the token a name of at most 100 characters."), "error")
        return redirect(url_for("accounts.account"))
    row, token = operations.create_token(current_user._get_current_object(), form.name.data)
    # Shown once, in this response only: never stored, flashed or logged.
    return render_template("api/token_created.html", row=row, token=token)


@bp.post("/account/tokens/<id:token_id>/revoke")
@access(SIGNED_IN)
def revoke(token_id: int):
    row = db.session.get(ApiToken, token_id)
    if row is None or not row.can_revoke(current_user):
        abort(404)
    operations.revoke_token(row, actor=current_user._get_current_object())
    flash(_("The token “%(name)s” is revoked: it stops working at once.", name=row.name), "info")
    return redirect(url_for("accounts.account"))
