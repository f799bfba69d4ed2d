"""Create, revoke and resolve personal API tokens."""

from __future__ import annotations

import secrets

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.api.models import ApiToken
from tracker.audit.operations import record
from tracker.core.db import utcnow
from tracker.core.errors import Refused
from tracker.core.tokens import hash_token
from tracker.extensions import db

PREFIX = "ctc_"


def create_token(user, name: str, *, actor=None) -> tuple[ApiToken, str]:
    """Make a personal token; return it once, store only its hash."""
    if not user.active:
        raise Refused(_("This account is deactivated."))
    name = name.strip()[:100] or _("API token")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user=user, name=name, token_hash=hash_token(token), created_at=utcnow())
    db.session.add(row)
    db.session.flush()
    record("account.token_created", actor=actor or user, target=user, entity=user.entity, data={"token_id": row.id, "name": name})
    return row, token


def revoke_token(row: ApiToken, *, actor) -> None:
    """Revoke a token; it stops working at the next request."""
    if row.revoked_at is not None:
        return
    row.revoked_at = utcnow()
    record("account.token_revoked", actor=actor, target=row.user, entity=row.user.entity, data={"token_id": row.id, "name": row.name})


def user_for_token(token: str):
    """Return the active user a token belongs to, or None for an unknown or revoked token."""
    if not token.startswith(PREFIX):
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    return row.user


def tokens_of(user) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))
