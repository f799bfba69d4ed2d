"""Fixtures: a migrated, seeded database made once, and a fresh copy of it for every test.

With DATABASE_URL pointing at PostgreSQL, the suite makes its own uniquely named databases on
that server and drops them afterwards; otherwise it uses SQLite files in a temporary folder.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

_INSTANCE = tempfile.mkdtemp(prefix="tracker-tests-")
os.environ["TRACKER_INSTANCE_PATH"] = _INSTANCE
os.environ.setdefault("TRACKER_MODE", "testing")

# Generated tests explore the same examples on every run: CI results do not depend on luck.
settings.register_profile("deterministic", derandomize=True, database=None)
settings.load_profile("deterministic")

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "seed"


class SQLiteDatabases:
    """Make SQLite database files; a copy is taken with the backup API, never a file copy."""

    def __init__(self, folder: Path):
        self.folder = folder

    def new(self) -> str:
        return f"sqlite:///{self.folder / (secrets.token_hex(6) + '.db')}"

    def copy(self, url: str) -> str:
        target = self.new()
        with sqlite3.connect(make_url(url).database) as source, sqlite3.connect(make_url(target).database) as copy:
            source.backup(copy)
        return target

    def close(self) -> None:
        pass

    def drop(self, url: str) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(make_url(url).database + suffix).unlink(missing_ok=True)


class PostgresDatabases:
    """Make and drop uniquely named databases on the server DATABASE_URL points at."""

    def __init__(self, server_url: str):
        self.server = make_url(server_url)
        self.admin = create_engine(self.server, isolation_level="AUTOCOMMIT")

    def new(self, template: str | None = None) -> str:
        name = f"tracker_test_{os.getpid()}_{secrets.token_hex(4)}"
        clause = f' TEMPLATE "{make_url(template).database}"' if template else ""
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        return self.server.set(database=name).render_as_string(hide_password=False)

    def copy(self, url: str) -> str:
        return self.new(template=url)

    def drop(self, url: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))

    def close(self) -> None:
        self.admin.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgresql"):
        factory = PostgresDatabases(url)
    else:
        factory = SQLiteDatabases(tmp_path_factory.mktemp("db"))
    made: list[str] = []
    original_new, original_copy = factory.new, factory.copy

    def track(make):
        def wrapper(*args, **kwargs):
            made.append(make(*args, **kwargs))
            return made[-1]

        return wrapper

    factory.new, factory.copy = track(original_new), track(original_copy)
    yield factory
    for made_url in made:
        factory.drop(made_url)
    factory.close()
    shutil.rmtree(_INSTANCE, ignore_errors=True)


def make_app(url: str, **overrides):
    from tracker import create_app

    config = {
        "TESTING": True,
        "TRACKER_MODE": "testing",
        "SQLALCHEMY_DATABASE_URI": url,
        "SEED_DIR": str(SEED_DIR),
        "RATELIMIT_ENABLED": False,
    }
    config.update(overrides)
    return create_app(config)


def dispose(app) -> None:
    from tracker.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def template_database(databases):
    """A database migrated to head and seeded with the catalogue, made once per run."""
    from flask_migrate import upgrade

    from tracker.catalogue import catalogue_file
    from tracker.catalogue.operations import seed_catalogue
    from tracker.extensions import db

    url = databases.new()
    app = make_app(url)
    with app.app_context():
        upgrade()
        seed_catalogue(catalogue_file.load(SEED_DIR))
        db.session.commit()
    dispose(app)
    return url


@pytest.fixture
def database_url(databases, template_database):
    """A fresh copy of the seeded database for this test alone."""
    url = databases.copy(template_database)
    yield url
    databases.drop(url)


@pytest.fixture
def app(database_url):
    app = make_app(database_url)
    yield app
    dispose(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


@pytest.fixture
def db_session(app):
    """The app's database session inside an app context."""
    from tracker.extensions import db

    with app.app_context():
        yield db.session


@pytest.fixture
def create_user(app):
    """Return a factory of accounts that can sign in with ``tests.helpers.PASSWORD``."""
    from tests.helpers import PASSWORD
    from tracker.accounts import operations
    from tracker.accounts.models import Role
    from tracker.catalogue.models import Entity
    from tracker.extensions import db

    counter = iter(range(1, 10_000))

    def make(role: str = "focal_point", entity: str | None = "FRA", email: str | None = None, password: str = PASSWORD):
        with app.app_context():
            code = entity if role == "focal_point" else None
            found = db.session.scalar(db.select(Entity).filter_by(code=code)) if code else None
            user = operations.create_user(
                email or f"{role}{next(counter)}@example.org", f"Test {role}", Role(role), found, password=password
            )
            db.session.commit()  # the test client reads through its own session
            return user.email

    return make


@pytest.fixture
def reporting(app):
    """Make assignments' updates in any state through the real operations."""
    return Reporting(app)


class Reporting:
    def __init__(self, app):
        self.app = app
        self.users: dict[str, int] = {}

    def _user(self, role: str, entity: str | None = None):
        from tracker.accounts import operations as accounts
        from tracker.accounts.models import Role, User
        from tracker.catalogue.models import Entity

        key = f"{role}:{entity}"
        if key not in self.users:
            found = db_session_scalar(Entity, code=entity) if entity else None
            user = accounts.create_user(f"{role}.{(entity or 'x').lower()}.fixture@example.org", f"Fixture {role} {entity or ''}", Role(role), found)
            self.users[key] = user.id
        from tracker.extensions import db

        return db.session.get(User, self.users[key])

    def assignment(self, entity: str, item: str) -> int:
        with self.app.app_context():
            return self._assignment(entity, item).id

    def _assignment(self, entity: str, item: str):
        from sqlalchemy import select

        from tracker.catalogue.models import Entity, Recommendation
        from tracker.extensions import db
        from tracker.progress.models import Assignment

        return db.session.scalar(
            select(Assignment).join(Assignment.recommendation).join(Assignment.entity)
            .where(Entity.code == entity, Recommendation.code == item)
        )

    def update(self, entity: str, item: str, state: str = "draft", *, claimed: str = "in_progress",
               narrative: str = "Work has started.", confidentiality: str = "committee", links=("https://example.org/law",),
               assessed: str | None = None, upload=None) -> int:
        """Create an update and walk it to ``state``; return its id."""
        from tracker.extensions import db
        from tracker.progress import operations
        from tracker.progress.models import Confidentiality, ImplementationStatus

        with self.app.app_context():
            author = self._user("focal_point", entity)
            update = operations.create_update(
                self._assignment(entity, item), author, claimed_status=ImplementationStatus(claimed),
                narrative=narrative, confidentiality=Confidentiality(confidentiality), links=list(links), upload=upload,
            )
            if state != "draft":
                operations.submit_update(update, author)
            if state in ("accepted", "returned"):
                reviewer = self._user("secretariat")
                if state == "accepted":
                    status = ImplementationStatus(assessed or claimed)
                    reason = "" if status.value == claimed else "The evidence supports a different status."
                    operations.accept_update(update, reviewer, assessed_status=status, reason=reason)
                else:
                    operations.return_update(update, reviewer, comment="Please add the law's reference.")
            db.session.commit()
            return update.id


def db_session_scalar(model, **filters):
    from sqlalchemy import select

    from tracker.extensions import db

    return db.session.scalar(select(model).filter_by(**filters))
