"""The audit log: append-only, hash-chained, verified (SECURITY.md 17, 20)."""

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from tracker.audit import queries
from tracker.audit.models import AuditEvent
from tracker.audit.operations import record
from tracker.catalogue.models import Entity
from tracker.extensions import db


def add_events(n=3):
    entity = db.session.scalar(select(Entity).filter_by(code="FRA"))
    for i in range(n):
        record("test.event", target=entity, entity=entity, data={"i": i, "text": "Привет 你好 مرحبا"})
    db.session.commit()


def test_seeding_was_recorded_and_the_chain_verifies(db_session, cli):
    kinds = db_session.scalars(select(AuditEvent.kind).order_by(AuditEvent.seq)).all()
    assert kinds == ["catalogue.seeded", "assignments.generated"]
    add_events()
    result = cli.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "5 events" in result.output


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET kind = 'forged' WHERE seq = 2",
    "DELETE FROM audit_events WHERE seq = 2",
])
def test_the_database_refuses_to_change_events(db_session, statement):
    add_events()
    with pytest.raises(DatabaseError, match="append-only"):
        db_session.execute(text(statement))
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)) == 5


def _tamper(db_session, *statements):
    """Alter events behind the triggers' back, as an attacker with the database file would."""
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        db_session.execute(text("DROP TRIGGER audit_events_no_update"))
        db_session.execute(text("DROP TRIGGER audit_events_no_delete"))
    else:
        db_session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
    for sql in statements:
        db_session.execute(text(sql))
    db_session.commit()


@pytest.mark.parametrize(("sql", "seq", "problem"), [
    ("UPDATE audit_events SET kind = 'forged' WHERE seq = 3", 3, "content does not match"),
    ("UPDATE audit_events SET prev_hash = hash WHERE seq = 2", 2, "previous hash"),
    ("DELETE FROM audit_events WHERE seq = 2", 2, "missing"),
])
def test_verify_names_the_first_altered_event(db_session, cli, sql, seq, problem):
    add_events()
    _tamper(db_session, sql)
    result = cli.invoke(args=["audit", "verify"])
    assert result.exit_code != 0
    assert f"event {seq}" in result.output and problem in result.output


def test_verify_notices_a_truncated_tail(db_session, cli):
    add_events()
    _tamper(db_session, "DELETE FROM audit_events WHERE seq = 5")
    result = cli.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and "head" in result.output


def test_a_change_and_its_event_commit_together(app, client, create_user, monkeypatch):
    """Make the audit insert fail: the change it described is not there either."""
    from tests.helpers import PASSWORD, login, submit
    from tracker.accounts import operations
    from tracker.accounts.models import User

    email = create_user("auditor")
    login(client, email)

    def broken(*args, **kwargs):
        raise RuntimeError("audit insert failed")

    monkeypatch.setattr(operations, "record", broken)
    response = submit(client, "/account", {"current_password": PASSWORD, "new_password": "violet harbour compass 1988", "confirm": "violet harbour compass 1988"})
    assert response.status_code == 500
    with app.app_context():
        from tracker.accounts import passwords

        user = db.session.scalar(select(User).filter_by(email=email))
        assert passwords.verify_password(user.password_hash, PASSWORD)


def test_head_is_reported(db_session):
    add_events(2)
    seq, head = queries.head()
    assert seq == 4 and head == db_session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == 4))
