"""Secrets handed out once (API tokens, invitation and reset links) are stored only as this hash."""

from __future__ import annotations

import hashlib


def hash_token(token: str) -> str:
    """Return the SHA-256 of ``token``; a long random token needs no salt or slow hash."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
