"""The schema comes from Alembic only, and the models never drift from the migrations."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from tests.conftest import dispose, make_app
from tracker.extensions import db


def test_models_and_migrations_do_not_drift(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_upgrade_downgrade_upgrade(databases):
    url = databases.new()
    app = make_app(url)
    try:
        with app.app_context():
            upgrade()
            tables = set(inspect(db.engine).get_table_names())
            assert {"recommendations", "entities", "reporting_rounds"} <= tables
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            upgrade()
            assert set(inspect(db.engine).get_table_names()) == tables
    finally:
        dispose(app)
        databases.drop(url)


def test_constraints_follow_the_naming_convention(app):
    with app.app_context():
        inspector = inspect(db.engine)
        checks = {c["name"] for c in inspector.get_check_constraints("recommendations")}
        assert "ck_recommendations_kind" in checks
        assert inspector.get_pk_constraint("recommendations")["name"] in ("pk_recommendations", None)
        assert all(fk["name"] and fk["name"].startswith("fk_") for fk in inspector.get_foreign_keys("recommendations"))


def test_migrations_run_over_real_data(app, reporting):
    """Down one step and up again on a database with progress: rows survive and are refilled."""
    from sqlalchemy import select

    from tracker.audit.queries import verify
    from tracker.progress.models import Assignment

    returned = reporting.update("FRA", "I.3", "returned")
    reporting.update("NGA", "I.3", "accepted")
    with app.app_context():
        downgrade(revision="-1")
        upgrade()
        rows = {a.entity.code: a for a in db.session.scalars(select(Assignment).where(Assignment.accepted_update_id.is_not(None) | Assignment.open_update_id.is_not(None)))}
        assert rows["FRA"].open_update_id == returned and rows["FRA"].open_update_state.value == "returned"
        assert rows["NGA"].accepted_round_id is not None and rows["NGA"].open_update_state is None
        assert verify().ok
