"""``flask audit verify``: walk the chain and exit non-zero at the first broken event."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from tracker.audit import queries

audit_group = AppGroup("audit", help="Verify the audit log.")


@audit_group.command("verify")
def verify_command() -> None:
    """Recompute every hash of the chain; name the first event that does not verify."""
    result = queries.verify()
    if not result.ok:
        where = f"event {result.broken_seq}: " if result.broken_seq else ""
        raise click.ClickException(f"The audit chain is broken at {where}{result.problem}.")
    click.echo(f"The audit chain verifies: {result.events} events, head {result.head_hash}.")


def init_app(app: Flask) -> None:
    app.cli.add_command(audit_group)
