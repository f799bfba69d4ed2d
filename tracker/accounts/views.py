"""Sign-in and sign-out, the account page, account links, and account administration."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.accounts import operations
from tracker.accounts.forms import AccountForm, ChangePasswordForm, EmptyForm, InviteForm, LoginForm, SetPasswordForm
from tracker.accounts.models import Role, TokenPurpose, User
from tracker.core.access import PUBLIC, SIGNED_IN, access, security_log
from tracker.core.errors import Refused
from tracker.core.transaction import refusals
from tracker.extensions import db, limiter, login_manager

bp = Blueprint("accounts", __name__)


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    """Load the user the session names; refuse sessions past their absolute lifetime."""
    started = session.get("login_at", 0)
    if time.time() - started > current_app.config["ABSOLUTE_SESSION_SECONDS"]:
        session.clear()
        return None
    user = db.session.scalar(select(User).where(User.session_token == session_token))
    return user if user is not None and user.active else None


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("progress.home")


@bp.route("/login", methods=["GET", "POST"])
@access(PUBLIC)
@limiter.limit("5 per minute", methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = operations.authenticate(form.email.data, form.password.data)
        except Refused as refused:  # not rolled back: the request commits the failure count
            security_log.warning("sign-in failed for %s from %s", form.email.data.strip().lower()[:254], request.remote_addr)
            form.password.errors.append(refused.message)
        else:
            session.clear()  # a new session on sign-in: nothing from before carries over
            login_user(user)
            session.permanent = True
            session["login_at"] = time.time()
            security_log.info("signed in: %s (%s)", user.email, user.role.value)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@access(SIGNED_IN)
def logout():
    if EmptyForm().validate_on_submit():
        operations.sign_out(current_user._get_current_object())
        security_log.info("signed out: %s", current_user.email)
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("catalogue.index"))


@bp.route("/account", methods=["GET", "POST"])
@access(SIGNED_IN)
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        with refusals(form, "new_password") as attempt:
            operations.change_password(user, form.current_password.data, form.new_password.data)
        if attempt.ok:
            login_user(user)  # this session carries the new token; every other one has ended
            security_log.info("password changed: %s", user.email)
            flash(_("Your password was changed. Every other session has been signed out."), "info")
            return redirect(url_for(".account"))
    return render_template("accounts/account.html", form=form, sign_out_form=EmptyForm())


@bp.post("/account/sign-out-everywhere")
@access(SIGNED_IN)
def sign_out_everywhere():
    if not EmptyForm().validate_on_submit():
        abort(400)
    operations.sign_out(current_user._get_current_object(), everywhere_reason="account.signed_out_everywhere")
    logout_user()
    session.clear()
    flash(_("Every session of your account has been signed out, this one included."), "info")
    return redirect(url_for(".login"))


@bp.route("/account/link/<token>", methods=["GET", "POST"])
@access(PUBLIC)
@limiter.limit("10 per minute", methods=["POST"])
def redeem(token: str):
    row = operations.find_token(token)
    if row is None:
        return render_template("accounts/link_invalid.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        with refusals(form, "password") as attempt:
            user = operations.redeem_token(token, form.password.data)
        if attempt.ok:
            flash(_("Your password is set. You can now sign in."), "info")
            return redirect(url_for(".login", email=user.email))
    return render_template("accounts/set_password.html", form=form, purpose=row.purpose, user=row.user)


# Administration: accounts and their links. Administrators do not review progress.

def _get_user(user_id: int) -> User:
    """:raise 404: no such user."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/admin/users")
@access(Role.admin)
def users():
    rows = db.session.scalars(select(User).options(selectinload(User.entity)).order_by(User.role, User.email))
    return render_template("accounts/users.html", users=list(rows), action_form=EmptyForm())


@bp.route("/admin/users/invite", methods=["GET", "POST"])
@access(Role.admin)
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        with refusals(form, "email") as attempt:
            user, token = operations.invite_user(
                form.email.data, form.name.data, Role(form.role.data), form.selected_entity(), actor=current_user._get_current_object()
            )
        if attempt.ok:
            return _link_issued(user, token, TokenPurpose.invitation)
    return render_template("accounts/invite.html", form=form)


def _link_issued(user: User, token: str, purpose: TokenPurpose):
    """Show a new link once; it is never stored, flashed or logged."""
    link = url_for(".redeem", token=token, _external=True)
    return render_template("accounts/link_issued.html", user=user, link=link, purpose=purpose)


@bp.route("/admin/users/<id:user_id>", methods=["GET", "POST"])
@access(Role.admin)
def edit_user(user_id: int):
    user = _get_user(user_id)
    form = AccountForm(obj=None if request.method == "POST" else user)
    if request.method == "GET":
        form.role.data = user.role.value
        form.entity.data = user.entity.code if user.entity else ""
    if form.validate_on_submit():
        with refusals(form, "role") as attempt:
            operations.update_user(
                user, name=form.name.data, role=Role(form.role.data), entity=form.selected_entity(), actor=current_user._get_current_object()
            )
        if attempt.ok:
            flash(_("The account of %(email)s was saved.", email=user.email), "info")
            return redirect(url_for(".users"))
    return render_template("accounts/edit_user.html", form=form, user=user, action_form=EmptyForm())


@bp.post("/admin/users/<id:user_id>/<any(deactivate, reactivate):action>")
@access(Role.admin)
def set_active(user_id: int, action: str):
    user = _get_user(user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with refusals() as attempt:
        operations.set_active(user, action == "reactivate", actor=current_user._get_current_object())
    if attempt.ok:
        flash(_("%(email)s is now active.", email=user.email) if user.active else _("%(email)s is deactivated and signed out.", email=user.email), "info")
    return redirect(url_for(".users"))


@bp.post("/admin/users/<id:user_id>/reset")
@access(Role.admin)
def issue_reset(user_id: int):
    user = _get_user(user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    purpose = TokenPurpose.reset if user.password_hash else TokenPurpose.invitation
    with refusals() as attempt:
        token = operations.issue_token(user, purpose, actor=current_user._get_current_object())
    if not attempt.ok:
        return redirect(url_for(".users"))
    return _link_issued(user, token, purpose)
