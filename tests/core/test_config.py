"""Configuration from the environment; production refuses to start without a strong key."""

import pytest
from sqlalchemy import text

from tests.conftest import make_app
from tracker.config import ConfigError
from tracker.extensions import db


@pytest.mark.parametrize("key", [None, "", "short-key"])
def test_production_refuses_a_missing_or_weak_secret_key(database_url, key, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        make_app(database_url, TRACKER_MODE="production", SECRET_KEY=key)


def test_production_starts_with_a_strong_secret_key(database_url):
    app = make_app(database_url, TRACKER_MODE="production", SECRET_KEY="x" * 32)
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_unknown_mode_is_refused(database_url):
    with pytest.raises(ConfigError, match="TRACKER_MODE"):
        make_app(database_url, TRACKER_MODE="staging")


def test_database_url_comes_from_the_environment(monkeypatch, tmp_path):
    from tracker import config

    monkeypatch.setenv("DATABASE_URL", "sqlite:///" + str(tmp_path / "x.db"))
    assert config.load(str(tmp_path))["SQLALCHEMY_DATABASE_URI"].endswith("x.db")
    monkeypatch.delenv("DATABASE_URL")
    assert config.load(str(tmp_path))["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(tmp_path / "tracker.db")


def test_sqlite_connections_are_set_for_concurrent_writers(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite settings")
        with db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
            assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


def test_sqlite_write_transactions_begin_immediate(app):
    """A second writer waits for the first instead of failing with "database is locked"."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite settings")
        statements = []
        from sqlalchemy import event

        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        with db.engine.begin() as connection:
            connection.execute(text("SELECT 1"))
        assert statements[0] == "BEGIN IMMEDIATE"
