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
        raise click.ClickException(describe_failure(result))
    click.echo(
        f"The audit chain verifies: {result.events} events, {result.checkpoints} checkpoints, head {result.head_hash}."
    )


def _events(count: int) -> str:
    return "1 event" if count == 1 else f"{count} events"


def describe_failure(result: queries.Verification) -> str:
    """Name the first broken event and its problem, then what the break means for the events after it."""
    where = f"event {result.broken_seq}: " if result.broken_seq is not None else ""
    lines = [f"The audit chain is broken at {where}{result.problem}."]
    if result.broken_seq is not None:
        lines.append(
            f"{_events(result.affected)} after it {'is' if result.affected == 1 else 'are'} affected:"
            " the chain cannot vouch for them"
            f" ({_events(result.events)} read in all)."
        )
    if result.later_count:
        shown = "; ".join(f"event {seq}: {problem}" for seq, problem in result.later)
        more = f"; and {result.later_count - len(result.later)} more" if result.later_count > len(result.later) else ""
        lines.append(f"Further problems after it: {shown}{more}.")
    return "\n".join(lines)


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
    from tracker.audit.backup import backup_command

    app.cli.add_command(audit_group)
    app.cli.add_command(backup_command)
