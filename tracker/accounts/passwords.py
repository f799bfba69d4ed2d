"""Password policy (length and guessability, no composition rules) and argon2id hashing."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn

MIN_LENGTH = 15
MAX_LENGTH = 128
_ESTIMATE_LIMIT = 72  # zxcvbn's own input limit; longer passwords are judged on their start


def hasher() -> PasswordHasher:
    """The argon2id hasher with the app's ARGON2_PARAMETERS (tracker/config.py)."""
    return PasswordHasher(**current_app.config["ARGON2_PARAMETERS"])


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash, still spend the time so timing reveals nothing."""
    ph = hasher()
    if not password_hash:
        ph.hash(password)
        return False
    try:
        return ph.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


def problem(password: str, *context: str) -> str | None:
    """Return why a new password is refused, or None when it is acceptable."""
    from flask_babel import gettext as _

    if len(password) < MIN_LENGTH:
        return _("Use at least %(num)d characters. A few unrelated words make a good password.", num=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(num)d characters.", num=MAX_LENGTH)
    estimate = zxcvbn(password[:_ESTIMATE_LIMIT], user_inputs=[c for c in context if c])
    if estimate["score"] < 3:
        return _("This password is too common or too easy to guess. Choose something less predictable.")
    return None
