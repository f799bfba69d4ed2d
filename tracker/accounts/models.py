"""Users and their single-use account links (invitations and password resets)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Optional

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.catalogue.models import Entity
from tracker.core.db import TitledEnum, UTCDateTime, enum_column, utcnow
from tracker.extensions import db


class Role(TitledEnum):
    focal_point = "focal_point"
    secretariat = "secretariat"
    auditor = "auditor"
    admin = "admin"


Role.__titles__ = {
    Role.focal_point: _l("Focal point"),
    Role.secretariat: _l("Committee secretariat"),
    Role.auditor: _l("Auditor"),
    Role.admin: _l("Administrator"),
}


class TokenPurpose(TitledEnum):
    invitation = "invitation"
    reset = "reset"


TokenPurpose.__titles__ = {TokenPurpose.invitation: _l("Invitation"), TokenPurpose.reset: _l("Password reset")}


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    """A person who signs in. Focal points belong to exactly one entity; nobody else does."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "(role = 'focal_point' AND entity_id IS NOT NULL) OR (role <> 'focal_point' AND entity_id IS NULL)",
            name="entity_iff_focal_point",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    entity_id: Mapped[Optional[int]] = mapped_column(ForeignKey("entities.id"), index=True)
    password_hash: Mapped[Optional[str]] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Flask-Login's "alternative token": the cookie names this, not the id, so changing it
    # ends every session of the user, copied cookies included.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    entity: Mapped[Optional[Entity]] = relationship()

    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > utcnow()

    def can_manage_accounts(self) -> bool:
        return self.role is Role.admin

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"


class AccountToken(db.Model):
    """A single-use, expiring link; only the SHA-256 of the token is stored."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_column(TokenPurpose, "purpose"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def usable(self) -> bool:
        return self.used_at is None and self.expires_at > utcnow()
