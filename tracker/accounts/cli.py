"""``flask users ...`` and ``flask demo``: thin wrappers over the account operations."""

from __future__ import annotations

import secrets
import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from tracker.accounts import operations
from tracker.accounts.models import Role, TokenPurpose, User
from tracker.catalogue.models import Entity
from tracker.core.transaction import writes
from tracker.extensions import db

users_group = AppGroup("users", help="Create, list and deactivate accounts.")

DEMO_ACCOUNTS = [
    ("focal.france@demo.invalid", "Focal point, France (demo)", Role.focal_point, "FRA"),
    ("focal.nigeria@demo.invalid", "Focal point, Nigeria (demo)", Role.focal_point, "NGA"),
    ("focal.unodc@demo.invalid", "Focal point, UNODC (demo)", Role.focal_point, "UNODC"),
    ("secretariat@demo.invalid", "Secretariat officer (demo)", Role.secretariat, None),
    ("auditor@demo.invalid", "Auditor (demo)", Role.auditor, None),
    ("admin@demo.invalid", "Administrator (demo)", Role.admin, None),
]


def _entity(code: str | None) -> Entity | None:
    if not code:
        return None
    entity = db.session.scalar(select(Entity).where(Entity.code == code.upper()))
    if entity is None:
        raise click.ClickException(f"There is no entity with code {code!r}. Run 'flask --app app seed' first?")
    return entity


def _link(token: str) -> str:
    return f"{operations.base_url()}/account/link/{token}"


@users_group.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--entity", "entity_code", help="Entity code, for focal points (FRA, UNODC, ...).")
@click.option("--name", default="", help="Full name (default: the email address).")
@click.option("--invite", is_flag=True, help="Print an invitation link instead of reading a password.")
@writes
def create_command(email: str, role: str, entity_code: str | None, name: str, invite: bool) -> None:
    """Create an account; the password is read from standard input."""
    entity = _entity(entity_code)
    if invite:
        user, token = operations.invite_user(email, name or email, Role(role), entity)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise click.ClickException("Give the password on standard input, or use --invite.")
        user = operations.create_user(email, name or email, Role(role), entity, password=password)
        token = None
    click.echo(f"Created {user.email} ({user.role.value}{', ' + entity.code if entity else ''}).")
    if token:
        click.echo(f"Invitation link (valid 7 days, single use): {_link(token)}")


@users_group.command("list")
def list_command() -> None:
    """List every account with its role, entity and state."""
    for user in db.session.scalars(select(User).order_by(User.role, User.email)):
        state = "active" if user.active else "deactivated"
        click.echo(f"{user.email}\t{user.role.value}\t{user.entity.code if user.entity else '-'}\t{state}")


@users_group.command("deactivate")
@click.argument("email")
@writes
def deactivate_command(email: str) -> None:
    """Deactivate an account and end its sessions."""
    user = operations.find_user(email)
    if user is None:
        raise click.ClickException(f"There is no account {email!r}.")
    operations.set_active(user, False)
    click.echo(f"Deactivated {user.email}; every session of the account has ended.")


@click.command("demo")
@with_appcontext
@writes
def demo_command() -> None:
    """Demo mode only: create one account per role, print their passwords, and generate demo progress once."""
    from tracker.progress import demo

    if current_app.config["TRACKER_MODE"] != "demo":
        raise click.ClickException("Demo accounts are only made with TRACKER_MODE=demo.")
    if demo.has_real_reports():
        raise click.ClickException("This database holds progress reports not written by demo accounts: no demo data is added to it.")
    lines = []
    for email, name, role, code in DEMO_ACCOUNTS:
        password = "demo-" + secrets.token_urlsafe(12)
        user = operations.find_user(email)
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
    app.cli.add_command(users_group)
    app.cli.add_command(demo_command)
