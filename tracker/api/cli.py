"""``flask tokens ...``: personal API tokens from the command line."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from tracker.accounts.queries import find_user
from tracker.api import operations
from tracker.api.models import ApiToken
from tracker.core.transaction import writes
from tracker.extensions import db

tokens_group = AppGroup("tokens", help="Create, list and revoke personal API tokens.")


def _user(email: str):
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"There is no account {email!r}.")
    return user


@tokens_group.command("create")
@click.argument("email")
@click.option("--name", default="command line", help="What the token is for.")
@writes
def create_command(email: str, name: str) -> None:
    """Create a token acting with exactly EMAIL's rights; it is shown only this once."""
    row, token = operations.create_token(_user(email), name)
    click.echo(f"Token {row.id} for {email} ({name}); keep it secret, it is not shown again:")
    click.echo(token)


@tokens_group.command("list")
@click.argument("email")
def list_command(email: str) -> None:
    """List a person's tokens (never the tokens themselves)."""
    for row in operations.tokens_of(_user(email)):
        state = "revoked " + row.revoked_at.isoformat() if row.revoked_at else "active"
        click.echo(f"{row.id}\t{row.name}\t{row.created_at.isoformat()}\t{state}")


@tokens_group.command("revoke")
@click.argument("token_id", type=int)
@writes
def revoke_command(token_id: int) -> None:
    """Revoke a token by its number; it stops working at the next request."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.id == token_id))
    if row is None:
        raise click.ClickException(f"There is no token {token_id}.")
    operations.revoke_token(row, actor=None)
    click.echo(f"Token {token_id} revoked.")


def init_app(app: Flask) -> None:
    app.cli.add_command(tokens_group)
