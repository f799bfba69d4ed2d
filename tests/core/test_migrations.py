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
