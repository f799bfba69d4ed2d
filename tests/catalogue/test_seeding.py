"""Seeding is idempotent, adds and updates, retires instead of deleting, and refuses bad files."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select, text

from tracker.catalogue.models import Recommendation
from tracker.extensions import db

SEED = Path(__file__).resolve().parents[2] / "seed"


def snapshot() -> dict:
    """Every row of every table, for comparing the whole database before and after."""
    tables = MetaData()
    tables.reflect(bind=db.engine)
    return {
        name: sorted(map(tuple, db.session.execute(table.select()).all()), key=repr)
        for name, table in tables.tables.items()
    }


@pytest.fixture
def seed_copy(tmp_path):
    target = tmp_path / "seed"
    shutil.copytree(SEED, target)
    return target


def test_seeding_twice_changes_nothing(app, cli):
    with app.app_context():
        before = snapshot()
    result = cli.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "nothing changed" in result.output
    with app.app_context():
        assert snapshot() == before


def test_changed_catalogue_updates_adds_and_retires(app, cli, seed_copy):
    path = seed_copy / "catalogue.yaml"
    text_ = path.read_text(encoding="utf-8")
    # Reword I.4, remove FU.1 (the follow-up session keeps no items), add III.8.
    text_ = text_.replace("Enhance efforts to bring", "Redoubled: enhance efforts to bring", 1)
    follow_up = text_.index("  - code: FU")
    items_at = text_.index("    items:", follow_up)
    new_item = text_[text_.index("      - code: III.7"):follow_up].replace("III.7", "III.8")
    text_ = text_[:follow_up] + text_[follow_up:items_at] + "    items: []\n"
    text_ = text_.replace("  - code: FU", new_item + "  - code: FU", 1)
    path.write_text(text_, encoding="utf-8")

    result = cli.invoke(args=["seed", "--seed-dir", str(seed_copy)])
    assert result.exit_code == 0, result.output
    assert "1 items added" in result.output and "1 items retired" in result.output

    with app.app_context():
        items = {r.code: r for r in db.session.scalars(select(Recommendation))}
        assert items["FU.1"].is_retired  # kept, only marked
        assert not items["III.8"].is_retired
        assert any("Redoubled" in r.text for r in items.values())
        retired_at = items["FU.1"].retired_at
        assert retired_at.tzinfo is not None

    # Put FU.1 back: it comes back to life, nothing else moves.
    shutil.copy(SEED / "catalogue.yaml", path)
    result = cli.invoke(args=["seed", "--seed-dir", str(seed_copy)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        items = {r.code: r for r in db.session.scalars(select(Recommendation))}
        assert not items["FU.1"].is_retired
        assert items["III.8"].is_retired


@pytest.mark.parametrize(
    ("find", "replace", "message"),
    [
        ("    items:\n", "    items: [\n", "not valid YAML"),
        ("paragraph: 16", "paragraph: 99", "'paragraph' must be a paragraph number"),
        ("Ensure that victims of sexual violence", "Ensure that the victims of sexual violence", "the quote is not in paragraph"),
        ("kind: commitment", "kind: promise", "'kind' must be one of"),
        ("addressees: [CTED]", "addressees: [XYZ-UNKNOWN]", "unknown addressees XYZ-UNKNOWN"),
        ("due: 2018-11-30", "due: end of November", "'due' must be a date"),
        ("heading: Session II\n", "heading: Session Two\n", "is not a heading of summary.txt"),
    ],
)
def test_malformed_catalogue_names_file_and_line_and_writes_nothing(app, cli, seed_copy, find, replace, message):
    path = seed_copy / "catalogue.yaml"
    original = path.read_text(encoding="utf-8")
    assert find in original
    path.write_text(original.replace(find, replace, 1), encoding="utf-8")
    with app.app_context():
        db.session.execute(text("UPDATE recommendations SET text = 'sentinel' WHERE code = 'I.1'"))
        db.session.commit()
        before = snapshot()

    result = cli.invoke(args=["seed", "--seed-dir", str(seed_copy)])

    assert result.exit_code != 0
    assert message in result.output
    assert "catalogue.yaml:" in result.output  # file and line
    line = int(result.output.split("catalogue.yaml:")[1].split(":")[0])
    assert 1 <= line <= original.count("\n") + 1
    with app.app_context():
        assert snapshot() == before


def test_missing_member_states_file_is_a_clear_error(cli, seed_copy):
    (seed_copy / "member_states.yaml").unlink()
    result = cli.invoke(args=["seed", "--seed-dir", str(seed_copy)])
    assert result.exit_code != 0
    assert "member_states.yaml: cannot read the file" in result.output
