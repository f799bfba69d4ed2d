"""``flask export timeline``: the same exports as the pages, written to standard output."""

from __future__ import annotations

import shutil
import sys
from types import SimpleNamespace

import click
from flask import Flask
from flask.cli import AppGroup

from tracker.accounts.models import Role
from tracker.accounts.queries import find_user
from tracker.exports import formats, queries

export_group = AppGroup("export", help="Export timelines for auditors.")

# The command line runs on the server: it reads as an auditor unless told to act as someone.
OPERATOR = SimpleNamespace(role=Role.auditor, entity_id=None, email="command line", is_authenticated=True)


@export_group.command("timeline")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "xlsx"]), required=True)
@click.option("--entity", default="", help="Entity code, such as FRA.")
@click.option("--session", default="", help="Session code, such as III.")
@click.option("--item", default="", help="Item code, such as III.5.")
@click.option("--assignment", default="", help="Assignment number.")
@click.option("--kind", default="", help="Kind of event, such as update.accepted.")
@click.option("--from", "date_from", default="", help="First day, YYYY-MM-DD (UTC).")
@click.option("--to", "date_to", default="", help="Last day, YYYY-MM-DD (UTC).")
@click.option("--as", "as_email", default="", help="Export what this account may read (default: everything).")
def timeline_command(fmt, entity, session, item, assignment, kind, date_from, date_to, as_email):
    """Write a timeline export to standard output: flask export timeline --format csv > timeline.csv"""
    filters = queries.TimelineFilters.from_args(
        {"entity": entity, "session": session, "item": item, "assignment": assignment, "kind": kind,
         "date_from": date_from, "date_to": date_to}
    )
    if filters.problems:
        raise click.ClickException(f"Not understood: {', '.join(filters.problems)} (dates are YYYY-MM-DD).")
    user = OPERATOR
    if as_email:
        user = find_user(as_email)
        if user is None or not user.active or user.role is Role.admin:
            raise click.ClickException(f"{as_email} is not an active account that may read timelines.")
    rows, manifest = queries.timeline_rows(user, filters)
    out = sys.stdout.buffer
    if fmt == "xlsx":
        shutil.copyfileobj(formats.xlsx_file(rows, manifest), out)
    else:
        for chunk in formats.csv_chunks(rows, manifest) if fmt == "csv" else formats.jsonl_chunks(rows, manifest):
            out.write(chunk.encode("utf-8"))
    out.flush()


def init_app(app: Flask) -> None:
    app.cli.add_command(export_group)
