"""Configuration: defaults, then the environment, then the caller's overrides."""

from __future__ import annotations

import os
import secrets
from datetime import date, timedelta

MODES = ("production", "development", "demo", "testing")
MIN_SECRET_KEY_LENGTH = 32
# Password hashing: OWASP's first argon2id profile; tests use a cheap one (TRACKER_MODE=testing).
ARGON2_PRODUCTION = {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 4}
ARGON2_TESTING = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the app refuses to start."""


def load(instance_path: str, overrides: dict | None = None) -> dict:
    """Return the settings for one app, with the environment applied over the defaults."""
    overrides = overrides or {}
    mode = overrides.get("TRACKER_MODE") or os.environ.get("TRACKER_MODE", "production")
    if mode not in MODES:
        raise ConfigError(f"TRACKER_MODE must be one of {', '.join(MODES)}, not {mode!r}")
    default_db = "sqlite:///" + os.path.join(instance_path, "tracker.db")
    config = {
        "TRACKER_MODE": mode,
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", default_db),
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "SQLITE_BUSY_TIMEOUT_SECONDS": float(os.environ.get("SQLITE_BUSY_TIMEOUT", "15")),
        "SEED_DIR": os.environ.get(
            "SEED_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "seed")
        ),
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000"),
        "TODAY": os.environ.get("TRACKER_TODAY"),
        "AUDIT_CHECKPOINT_KEY": os.environ.get("AUDIT_CHECKPOINT_KEY"),
        "EVIDENCE_DIR": os.environ.get("EVIDENCE_DIR", os.path.join(instance_path, "evidence")),
        "MAX_EVIDENCE_BYTES": int(os.environ.get("MAX_EVIDENCE_BYTES", str(8 * 1024 * 1024))),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Rendered dashboards, keyed by the audit chain's head, so a change is seen at once.
        "CACHE_TYPE": os.environ.get("CACHE_TYPE", "SimpleCache"),
        "CACHE_DEFAULT_TIMEOUT": 60,
        "ABSOLUTE_SESSION_SECONDS": int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12")) * 3600,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "1" if mode == "production" else "0") == "1",
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "30"))),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(10 * 1024 * 1024))),
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "ARGON2_PARAMETERS": ARGON2_TESTING if mode == "testing" else ARGON2_PRODUCTION,
    }
    config.update(overrides)
    _check_today(config)
    _check_secret_key(config)
    _cookies(config)
    return config


def _cookies(config: dict) -> None:
    """Secure cookies get the __Host- prefix; the remember-me cookie is never used."""
    if config["SESSION_COOKIE_SECURE"]:
        config.setdefault("SESSION_COOKIE_NAME", "__Host-session")
    config.update(
        REMEMBER_COOKIE_DURATION=timedelta(seconds=0),
        REMEMBER_COOKIE_SECURE=config["SESSION_COOKIE_SECURE"],
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session, which has its own limits
    )


def _check_today(config: dict) -> None:
    day = config.get("TODAY")
    if day:
        try:
            date.fromisoformat(day)
        except (TypeError, ValueError):
            raise ConfigError(f"TRACKER_TODAY must be a date written YYYY-MM-DD, not {day!r}") from None


def _check_secret_key(config: dict) -> None:
    key = config.get("SECRET_KEY")
    if config["TRACKER_MODE"] in ("production",):
        if not key or len(key) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(
                f"SECRET_KEY must be set to at least {MIN_SECRET_KEY_LENGTH} characters in production "
                "(set TRACKER_MODE=development or demo to run locally without one)"
            )
    elif not key:
        # Development, demo and tests: a fresh key each start is safe, sessions just end.
        config["SECRET_KEY"] = secrets.token_hex(32)
