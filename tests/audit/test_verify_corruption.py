"""``audit verify`` judges whatever someone with database access left in the event table.

It never crashes: it names the first broken event and what is wrong with it, exits non-zero,
and says how many events after it the break affects. Each corruption is written the way an
attacker would, behind the triggers' back; where PostgreSQL's column types refuse the bytes,
the attacker first retypes the column, which anyone who can disable the triggers can do.
"""

import pytest
from sqlalchemy import text

from tests.audit.test_chain import _tamper, add_events
from tracker.audit import queries
from tracker.extensions import db

# A different first hex digit whatever the hash begins with (a fixed 'f' left one hash in 16 intact).
FLIP_FIRST_DIGIT_OF_PREV_HASH = (
    "UPDATE audit_events SET prev_hash = "
    "CASE WHEN substr(prev_hash, 1, 1) = '0' THEN '1' ELSE '0' END || substr(prev_hash, 2) WHERE seq = 4"
)

# Five events after add_events(): two from seeding, three added.
CORRUPTIONS = {
    "data with text appended": (
        ["UPDATE audit_events SET data = data || ' appended by hand' WHERE seq = 3"],
        ["ALTER TABLE audit_events ALTER COLUMN data TYPE text USING data::text",
         "UPDATE audit_events SET data = data || ' appended by hand' WHERE seq = 3"],
        3, "its data is not valid JSON", 2,
    ),
    "data replaced by binary garbage": (
        ["UPDATE audit_events SET data = X'00FFFE9A10' WHERE seq = 3"],
        ["ALTER TABLE audit_events ALTER COLUMN data TYPE text USING data::text",
         "UPDATE audit_events SET data = convert_from('\\x01fffe9a10'::bytea, 'LATIN1') WHERE seq = 3"],
        3, "its data is not valid", 2,
    ),
    "data emptied": (
        ["UPDATE audit_events SET data = '' WHERE seq = 4"],
        ["ALTER TABLE audit_events ALTER COLUMN data TYPE text USING data::text",
         "UPDATE audit_events SET data = '' WHERE seq = 4"],
        4, "its data is not valid JSON", 1,
    ),
    "data that JSON can hold but UTF-8 cannot": (
        ["UPDATE audit_events SET data = '{\"i\":\"\\ud800\"}' WHERE seq = 3"],
        ["UPDATE audit_events SET data = '{\"i\":\"\\ud800\"}'::json WHERE seq = 3"],
        3, "its data cannot be hashed", 2,
    ),
    "data made null": (
        None,  # SQLite cannot drop a NOT NULL constraint without rebuilding the table
        ["ALTER TABLE audit_events ALTER COLUMN data DROP NOT NULL",
         "UPDATE audit_events SET data = NULL WHERE seq = 5"],
        5, "its data is missing", 0,
    ),
    "time that is not a time": (
        ["UPDATE audit_events SET occurred_at = 'yesterday, roughly' WHERE seq = 2"],
        ["ALTER TABLE audit_events ALTER COLUMN occurred_at TYPE text",
         "UPDATE audit_events SET occurred_at = 'yesterday, roughly' WHERE seq = 2"],
        2, "its time is not a valid timestamp", 3,
    ),
    "a target that is not a number": (
        ["UPDATE audit_events SET target_id = 'mallory' WHERE seq = 4"],
        ["ALTER TABLE audit_events ALTER COLUMN target_id TYPE text",
         "UPDATE audit_events SET target_id = 'mallory' WHERE seq = 4"],
        4, "its target_id is not a whole number", 1,
    ),
    "a number that is not a number": (
        None,  # SQLite's seq is the rowid: always a whole number
        ["ALTER TABLE audit_events ALTER COLUMN seq TYPE text",
         "UPDATE audit_events SET seq = 'three' WHERE seq = '3'"],
        3, "event 3 is missing", 2,
    ),
    "content changed": (
        ["UPDATE audit_events SET kind = 'forged' WHERE seq = 3"],
        ["UPDATE audit_events SET kind = 'forged' WHERE seq = 3"],
        3, "its content does not match its hash", 2,
    ),
    "link to the previous hash broken": (
        [FLIP_FIRST_DIGIT_OF_PREV_HASH],
        [FLIP_FIRST_DIGIT_OF_PREV_HASH],
        4, "its previous hash does not match the event before it", 1,
    ),
    "one event deleted": (
        ["DELETE FROM audit_events WHERE seq = 2"],
        ["DELETE FROM audit_events WHERE seq = 2"],
        2, "event 2 is missing", 3,
    ),
    "two events deleted": (
        ["DELETE FROM audit_events WHERE seq IN (3, 4)"],
        ["DELETE FROM audit_events WHERE seq IN (3, 4)"],
        3, "events 3 to 4 are missing", 1,
    ),
    "the tail deleted": (
        ["DELETE FROM audit_events WHERE seq >= 4"],
        ["DELETE FROM audit_events WHERE seq >= 4"],
        4, "events 4 to 5 are missing: the recorded head is event 5", 0,
    ),
}


@pytest.mark.parametrize("name", CORRUPTIONS)
def test_verify_names_the_first_broken_event_and_counts_what_follows(db_session, cli, name):
    sqlite_sql, postgresql_sql, seq, problem, affected = CORRUPTIONS[name]
    statements = sqlite_sql if db.engine.dialect.name == "sqlite" else postgresql_sql
    if statements is None:
        pytest.skip("this corruption cannot be written on this engine")
    add_events()
    _tamper(db_session, *statements)

    result = cli.invoke(args=["audit", "verify"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code == 1
    first, _, rest = result.output.partition("\n")
    assert first.startswith(f"Error: The audit chain is broken at event {seq}: {problem}")
    counted = "1 event after it is affected" if affected == 1 else f"{affected} events after it are affected"
    assert counted in rest
    assert "Traceback" not in result.output


def test_every_problem_after_the_first_is_counted(db_session, cli):
    add_events(4)  # events 1 to 6
    _tamper(
        db_session,
        "UPDATE audit_events SET kind = 'forged' WHERE seq = 2",
        "DELETE FROM audit_events WHERE seq = 4",
        "UPDATE audit_events SET kind = 'forged too' WHERE seq = 6",
    )
    verification = queries.verify()
    assert (verification.broken_seq, verification.problem) == (2, "its content does not match its hash")
    assert verification.affected == 3  # events 3, 5 and 6 remain after it
    assert verification.later == [(4, "event 4 is missing"), (6, "its content does not match its hash")]

    result = cli.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "Further problems after it: event 4: event 4 is missing; event 6: its content does not match its hash." in result.output


def test_one_altered_event_is_reported_once(db_session):
    """Later events are checked against the stored hash before them, so one change is one problem."""
    add_events(10)
    _tamper(db_session, "UPDATE audit_events SET kind = 'forged' WHERE seq = 4")
    verification = queries.verify(batch=3)
    assert verification.broken_seq == 4 and verification.affected == 8 and verification.later_count == 0


def test_an_event_numbered_before_the_chain_starts_is_named(db_session, cli):
    _tamper(db_session, "INSERT INTO audit_events (seq, occurred_at, actor_label, kind, data, prev_hash, hash)"
                        " SELECT 0, occurred_at, actor_label, kind, data, prev_hash, 'x' FROM audit_events WHERE seq = 1")
    result = cli.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "broken at event 0: its number is out of order" in result.output


def test_the_chain_verifies_after_a_clean_history(db_session, cli):
    add_events()
    result = cli.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert db_session.execute(text("SELECT count(*) FROM audit_events")).scalar() == 5
