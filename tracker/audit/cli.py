"""``flask audit verify``: walk the chain and exit non-zero at the first broken event."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from tracker.audit import operations, queries
from tracker.core.transaction import writes

audit_group = AppGroup("audit", help="Verify the audit log.")


@audit_group.command("verify")
def verify_command() -> None:
    """Recompute every hash of the chain and check every checkpoint; name the first failure."""
    result = queries.verify_checkpoints(queries.verify(), current_app.config.get("AUDIT_CHECKPOINT_KEY"))
    if not result.ok:
        where = f"event {result.broken_seq}: " if result.broken_seq else ""
        raise click.ClickException(f"The audit chain is broken at {where}{result.problem}.")
    click.echo(
        f"The audit chain verifies: {result.events} events, {result.checkpoints} checkpoints, head {result.head_hash}."
    )


@audit_group.command("checkpoint")
@writes
def checkpoint_command() -> None:
    """Sign the chain's current head with AUDIT_CHECKPOINT_KEY and keep the signature."""
    try:
        point = operations.checkpoint(current_app.config.get("AUDIT_CHECKPOINT_KEY"))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Checkpoint {point.id}: event {point.seq}, head {point.head_hash}, key {point.key_id}.")


def init_app(app: Flask) -> None:
    app.cli.add_command(audit_group)
