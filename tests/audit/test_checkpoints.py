"""Signed checkpoints of the chain's head, checked by ``audit verify``."""

import pytest
from sqlalchemy import text

from tests.audit.test_chain import _tamper, add_events

KEY = "k" * 40


@pytest.fixture
def keyed(app):
    app.config["AUDIT_CHECKPOINT_KEY"] = KEY
    return app


def test_checkpoint_and_verify(keyed, db_session, cli):
    add_events()
    result = cli.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0, result.output
    assert "event 5" in result.output
    add_events(1)
    result = cli.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "1 checkpoints" in result.output


def test_checkpoints_need_a_strong_key(app, cli):
    app.config["AUDIT_CHECKPOINT_KEY"] = "short"
    result = cli.invoke(args=["audit", "checkpoint"])
    assert result.exit_code != 0 and "at least 32" in result.output


def test_verify_needs_the_key_once_checkpoints_exist(keyed, cli):
    assert cli.invoke(args=["audit", "checkpoint"]).exit_code == 0
    keyed.config["AUDIT_CHECKPOINT_KEY"] = None
    result = cli.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and "need AUDIT_CHECKPOINT_KEY" in result.output
    keyed.config["AUDIT_CHECKPOINT_KEY"] = "x" * 40
    result = cli.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and "another key" in result.output


def test_a_rewritten_chain_no_longer_matches_its_checkpoint(keyed, db_session, cli):
    """An attacker who rewrites an event and every hash after it still cannot forge the signature."""
    from sqlalchemy import select

    from tracker.audit.models import AuditEvent, chain_hash

    add_events()
    assert cli.invoke(args=["audit", "checkpoint"]).exit_code == 0
    _tamper(db_session, "UPDATE audit_events SET kind = 'forged' WHERE seq = 3")
    # Recompute the whole chain from event 3 on, as a careful forger would.
    events = db_session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    previous = events[1].hash
    for event in events[2:]:
        new_hash = chain_hash(previous, event.payload())
        db_session.execute(text("UPDATE audit_events SET prev_hash = :p, hash = :h WHERE seq = :s"), {"p": previous, "h": new_hash, "s": event.seq})
        previous = new_hash
    db_session.execute(text("UPDATE audit_head SET hash = :h"), {"h": previous})
    db_session.commit()
    result = cli.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and "no longer matches checkpoint" in result.output


def test_checkpoints_cannot_be_changed(keyed, db_session, cli):
    from sqlalchemy.exc import DatabaseError

    assert cli.invoke(args=["audit", "checkpoint"]).exit_code == 0
    with pytest.raises(DatabaseError, match="append-only"):
        db_session.execute(text("UPDATE audit_checkpoints SET seq = 1"))
    db_session.rollback()
