"""Account reads: finding a user by address."""

from __future__ import annotations

from sqlalchemy import select

from tracker.accounts.models import User
from tracker.extensions import db


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))
