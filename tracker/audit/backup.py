"""``flask backup PATH``: a consistent copy of the database, restorable and verifiable.

SQLite is copied with its online backup API (never a file copy of a live WAL database);
PostgreSQL with ``pg_dump -Fc`` (restore with ``pg_restore``).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from tracker.audit.queries import head
from tracker.extensions import db


def backup(url: str, path: str) -> None:
    """Write a backup of the database at ``url`` to ``path``.

    :raise RuntimeError: the backup could not be made (the message says why).
    """
    parsed = make_url(url)
    if os.path.exists(path):
        raise RuntimeError(f"{path} exists already; choose a new file")
    if parsed.get_backend_name() == "sqlite":
        with sqlite3.connect(parsed.database) as source, sqlite3.connect(path) as target:
            source.backup(target)
        return
    if shutil.which("pg_dump") is None:
        raise RuntimeError("pg_dump is not installed (apt-get install postgresql-client)")
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    plain = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    done = subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", path, plain], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"pg_dump failed: {done.stderr.strip()[-500:]}")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path: str) -> None:
    """Back the database up to PATH (SQLite backup API, or pg_dump -Fc for PostgreSQL)."""
    seq, head_hash = head()
    db.session.rollback()  # read nothing more in this transaction while the copy runs
    try:
        backup(db.engine.url.render_as_string(hide_password=False), path)
    except (RuntimeError, sqlite3.Error, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backed up to {path}; the audit chain head was event {seq}, {head_hash}.")


def init_app(app: Flask) -> None:
    app.cli.add_command(backup_command)
