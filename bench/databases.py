"""Fresh, uniquely named databases for one benchmark run, dropped at the end."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "seed"
SECRET_KEY = "bench-" + "k" * 40  # fixed, so every gunicorn worker reads the same session cookies
TODAY = "2019-02-15"  # inside the 2018-19 period: the jsm-2019 round is open, some items are overdue


class Database:
    """One benchmark database: ``url`` for SQLAlchemy, ``engine`` its dialect name."""

    def __init__(self, engine: str):
        self.engine = engine
        self.folder = tempfile.mkdtemp(prefix=f"tracker-bench-{engine}-")
        if engine == "sqlite":
            self.path = os.path.join(self.folder, "bench.db")
            self.url = f"sqlite:///{self.path}"
        else:
            self.name = f"tracker_bench_{os.getpid()}_{secrets.token_hex(4)}"
            self._admin("CREATE DATABASE \"{}\"".format(self.name))
            self.url = make_url(PG_SERVER).set(database=self.name).render_as_string(hide_password=False)

    @staticmethod
    def _admin(sql: str) -> None:
        admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(sql))
        finally:
            admin.dispose()

    def config(self, **overrides) -> dict:
        config = {
            "TRACKER_MODE": "development",
            "SQLALCHEMY_DATABASE_URI": self.url,
            "SECRET_KEY": SECRET_KEY,
            "SEED_DIR": str(SEED_DIR),
            "RATELIMIT_ENABLED": False,
            "TODAY": TODAY,
            "EVIDENCE_DIR": os.path.join(self.folder, "evidence"),
        }
        config.update(overrides)
        return config

    def env(self) -> dict:
        """What a child process (gunicorn, export, writer) needs to build the same app."""
        return {
            "BENCH_DATABASE_URL": self.url,
            "BENCH_FOLDER": self.folder,
            "TRACKER_INSTANCE_PATH": os.path.join(self.folder, "instance"),
        }

    def raw(self):
        """A plain DBAPI connection (sqlite3 or psycopg), set up like the app's."""
        if self.engine == "sqlite":
            import sqlite3

            connection = sqlite3.connect(self.path, isolation_level=None)
            connection.execute("PRAGMA busy_timeout = 15000")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA synchronous = FULL")
            return connection
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=5432, user="postgres", dbname=self.name, autocommit=True)

    def drop(self) -> None:
        if self.engine == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        shutil.rmtree(self.folder, ignore_errors=True)


def app_from_env():
    """Build the app in a child process from ``Database.env()``."""
    from tracker import create_app

    url = os.environ["BENCH_DATABASE_URL"]
    folder = os.environ["BENCH_FOLDER"]
    return create_app(
        {
            "TRACKER_MODE": "development",
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": SECRET_KEY,
            "SEED_DIR": str(SEED_DIR),
            "RATELIMIT_ENABLED": False,
            "TODAY": TODAY,
            "EVIDENCE_DIR": os.path.join(folder, "evidence"),
        }
    )
