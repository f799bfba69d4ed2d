"""``flask seed`` and ``flask catalogue export``: thin wrappers over the catalogue operations."""

from __future__ import annotations

import json

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from tracker.catalogue import catalogue_file, queries
from tracker.catalogue.operations import seed_catalogue
from tracker.core.transaction import writes

catalogue_group = AppGroup("catalogue", help="Read the catalogue of recommendations.")


@click.command("seed")
@with_appcontext
@click.option("--seed-dir", type=click.Path(file_okay=False), help="Folder holding catalogue.yaml (default: seed/).")
@writes
def seed_command(seed_dir: str | None) -> None:
    """Add and update the catalogue from seed/; never delete (removed items are retired)."""
    try:
        catalogue = catalogue_file.load(seed_dir or current_app.config["SEED_DIR"])
    except catalogue_file.CatalogueError as exc:
        raise click.ClickException(str(exc)) from exc
    changes = seed_catalogue(catalogue)
    if changes:
        click.echo("Seeded: " + ", ".join(f"{count} {what}" for what, count in sorted(changes.items())))
    else:
        click.echo("The catalogue is up to date: nothing changed.")


@catalogue_group.command("export")
def export_command() -> None:
    """Print the whole catalogue as JSON (the open-data format documented in the README)."""
    click.echo(json.dumps(queries.catalogue_document(), ensure_ascii=False, indent=2))


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(catalogue_group)
