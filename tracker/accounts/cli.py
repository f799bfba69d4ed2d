"""``flask users ...``: thin wrappers over the account operations."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from tracker.accounts import operations
from tracker.accounts.models import Role, User
from tracker.accounts.queries import find_user
from tracker.catalogue.models import Entity
from tracker.core.transaction import writes
from tracker.extensions import db

users_group = AppGroup("users", help="Create, list and deactivate accounts.")

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
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"There is no account {email!r}.")
    operations.set_active(user, False)
    click.echo(f"Deactivated {user.email}; every session of the account has ended.")


def init_app(app: Flask) -> None:
    app.cli.add_command(users_group)
