"""Account transitions. Each checks, changes, flushes and records its audit event."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from tracker.accounts import passwords
from tracker.accounts.models import AccountToken, Role, TokenPurpose, User, new_session_token
from tracker.accounts.queries import find_user, normalize_email
from tracker.audit.operations import record
from tracker.catalogue.models import Entity
from tracker.core.db import utcnow
from tracker.core.errors import Refused
from tracker.core.tokens import hash_token
from tracker.extensions import db

LOCK_AFTER_FAILURES = 10
LOCK_MINUTES = 15
TOKEN_LIFETIME = {TokenPurpose.invitation: timedelta(days=7), TokenPurpose.reset: timedelta(hours=24)}


def _check_role_entity(role: Role, entity: Entity | None) -> None:
    if role is Role.focal_point and entity is None:
        raise Refused(_("A focal point must belong to an entity."), field="entity")
    if role is not Role.focal_point and entity is not None:
        raise Refused(_("Only focal points belong to an entity."), field="entity")


def _account_data(user: User) -> dict:
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role.value,
        "entity": user.entity.code if user.entity else None,
        "active": user.active,
    }


def create_user(email: str, name: str, role: Role, entity: Entity | None = None, *, password: str | None = None, actor=None) -> User:
    """Create an account, with a password (CLI) or without one (to be invited)."""
    email = normalize_email(email)
    _check_role_entity(role, entity)
    if db.session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise Refused(_("An account with this email address already exists."), field="email")
    if password is not None:
        reason = passwords.problem(password, email, name)
        if reason:
            raise Refused(reason, field="password")
    user = User(email=email, name=name.strip(), role=role, entity=entity, session_token=new_session_token())
    if password is not None:
        user.password_hash = passwords.hash_password(password)
    db.session.add(user)
    record("account.created", actor=actor, target=user, entity=entity, data=_account_data(user))
    return user


def issue_token(user: User, purpose: TokenPurpose, *, actor=None) -> str:
    """Make a single-use link token for the user; return it once, store only its hash."""
    if not user.active:
        raise Refused(_("This account is deactivated. Reactivate it first."))
    now = utcnow()
    for old in db.session.scalars(
        select(AccountToken).where(AccountToken.user_id == user.id, AccountToken.used_at.is_(None))
    ):
        old.used_at = now  # a newer link replaces any older one
    token = secrets.token_urlsafe(32)
    row = AccountToken(
        user=user,
        purpose=purpose,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + TOKEN_LIFETIME[purpose],
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(row)
    record(
        f"account.{purpose.value}_issued",
        actor=actor,
        target=user,
        entity=user.entity,
        data={"email": user.email, "expires_at": row.expires_at.isoformat()},
    )
    return token


def invite_user(email: str, name: str, role: Role, entity: Entity | None, *, actor=None) -> tuple[User, str]:
    user = create_user(email, name, role, entity, actor=actor)
    return user, issue_token(user, TokenPurpose.invitation, actor=actor)


def find_token(token: str) -> AccountToken | None:
    """Return the usable link for a token, or None when unknown, used or expired."""
    row = db.session.scalar(select(AccountToken).where(AccountToken.token_hash == hash_token(token)))
    if row is None or not row.usable or not row.user.active:
        return None
    return row


def redeem_token(token: str, password: str) -> User:
    """Set the password through an invitation or reset link, and spend the link."""
    row = find_token(token)
    if row is None:
        raise Refused(_("This link has expired or has already been used. Ask an administrator for a new one."))
    user = row.user
    reason = passwords.problem(password, user.email, user.name)
    if reason:
        raise Refused(reason, field="password")
    row.used_at = utcnow()
    _set_password(user, password)
    user.failed_logins, user.locked_until = 0, None
    record("account.password_set", actor=user, target=user, entity=user.entity, data={"through": row.purpose.value})
    return user


def _set_password(user: User, password: str) -> None:
    user.password_hash = passwords.hash_password(password)
    user.session_token = new_session_token()  # every existing session ends


def authenticate(email: str, password: str) -> User:
    """Check a sign-in; count failures and lock the account softly after too many.

    :raise Refused: wrong email or password, or the account is locked. The failure count is
        flushed all the same: the caller commits it.
    """
    user = find_user(email)
    if user is not None and user.is_locked:
        raise Refused(_("Too many failed sign-ins: this account is locked for %(num)d minutes.", num=LOCK_MINUTES))
    if user is None or not user.active or not passwords.verify_password(user.password_hash if user else None, password):
        if user is not None and user.active:
            user.failed_logins += 1
            if user.failed_logins >= LOCK_AFTER_FAILURES:
                user.failed_logins = 0
                user.locked_until = utcnow() + timedelta(minutes=LOCK_MINUTES)
                record("account.locked", target=user, entity=user.entity, data={"minutes": LOCK_MINUTES})
            db.session.flush()
        raise Refused(_("The email address or password is not correct."))
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, utcnow()
    record("account.signed_in", actor=user, target=user, entity=user.entity)
    return user


def sign_out(user: User, *, everywhere_reason: str = "account.signed_out") -> None:
    """End every session of the user, copied cookies included."""
    user.session_token = new_session_token()
    record(everywhere_reason, actor=user, target=user, entity=user.entity)


def change_password(user: User, current: str, new: str) -> None:
    if not passwords.verify_password(user.password_hash, current):
        raise Refused(_("Your current password is not correct."), field="current_password")
    reason = passwords.problem(new, user.email, user.name)
    if reason:
        raise Refused(reason, field="new_password")
    _set_password(user, new)
    record("account.password_changed", actor=user, target=user, entity=user.entity)


def update_user(user: User, *, name: str, role: Role, entity: Entity | None, actor) -> None:
    """Change a person's name, role or entity; a change of role or entity ends their sessions."""
    _check_role_entity(role, entity)
    if user.id == actor.id and role is not user.role:
        raise Refused(_("You cannot change your own role."), field="role")
    before = _account_data(user)
    user.name, user.role, user.entity = name.strip(), role, entity
    after = _account_data(user)
    if before == after:
        return
    if (before["role"], before["entity"]) != (after["role"], after["entity"]):
        user.session_token = new_session_token()
    changed = {key: {"before": before[key], "after": after[key]} for key in before if before[key] != after[key]}
    record("account.updated", actor=actor, target=user, entity=entity, data={"email": user.email, "changes": changed})


def set_active(user: User, active: bool, *, actor=None) -> None:
    """Deactivate (ending every session) or reactivate an account."""
    if actor is not None and user.id == actor.id and not active:
        raise Refused(_("You cannot deactivate your own account."))
    if user.active == active:
        return
    user.active = active
    user.session_token = new_session_token()
    record("account.reactivated" if active else "account.deactivated", actor=actor, target=user, entity=user.entity, data={"email": user.email})


def base_url() -> str:
    return current_app.config.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
