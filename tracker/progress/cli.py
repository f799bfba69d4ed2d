"""``flask demo``: demo accounts and synthetic progress, for demo mode only."""

from __future__ import annotations

import secrets

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from tracker.accounts import operations
from tracker.accounts.models import TokenPurpose
from tracker.accounts.queries import find_user
from tracker.catalogue.models import Entity
from tracker.core.transaction import writes
from tracker.extensions import db
from tracker.progress import demo


def _entity(code: str | None) -> Entity | None:
    if not code:
        return None
    entity = db.session.scalar(select(Entity).where(Entity.code == code))
    if entity is None:
        raise click.ClickException(f"There is no entity with code {code!r}. Run 'flask --app app seed' first?")
    return entity


@click.command("demo")
@with_appcontext
@writes
def demo_command() -> None:
    """Demo mode only: create one account per role, print their passwords, and generate demo progress once."""
    if current_app.config["TRACKER_MODE"] != "demo":
        raise click.ClickException("Demo accounts are only made with TRACKER_MODE=demo.")
    if demo.has_real_reports():
        raise click.ClickException("This database holds progress reports not written by demo accounts: no demo data is added to it.")
    lines = []
    for email, name, role, code in demo.ACCOUNTS:
        password = "demo-" + secrets.token_urlsafe(12)
        user = find_user(email)
        if user is None:
            user = operations.create_user(email, name, role, _entity(code), password=password)
        else:
            operations.redeem_token(operations.issue_token(user, TokenPurpose.reset), password)
        lines.append(f"  {role.title:<24} {email:<30} {password}")
    made = demo.generate()
    click.echo("DEMO ACCOUNTS (demo mode only; new passwords at every start):")
    click.echo("\n".join(lines))
    if made is None:
        click.echo("Demo progress was generated before; left as it is.")
    else:
        click.echo(
            f"DEMO PROGRESS (synthetic, {demo.START:%d %B %Y} to {demo.END:%d %B %Y}): "
            f"{made['updates']} updates from {made['entities']} entities ({made['steps'].get('accept', 0)} accepted, "
            f"{made['steps'].get('return', 0)} returned)."
        )


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_command)
