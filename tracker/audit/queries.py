"""Read and verify the chain."""

from __future__ import annotations

import hmac
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import LargeBinary, String, Text, cast, select, type_coerce

from tracker.audit.models import GENESIS_HASH, AuditEvent, AuditHead, Checkpoint, chain_hash
from tracker.extensions import db

# How many later problems a verification keeps to show; it counts them all.
LATER_PROBLEMS_SHOWN = 5

_TEXTS = ("actor_label", "actor_role", "kind", "target_type", "prev_hash", "hash")
_INTEGERS = ("actor_id", "target_id", "entity_id", "assignment_id", "recommendation_id")


@dataclass
class Verification:
    events: int
    head_hash: str
    broken_seq: int | None = None
    problem: str | None = None
    checkpoints: int = 0
    # Events after the first broken one: the chain no longer vouches for them.
    affected: int = 0
    # Problems of their own found after the first one, as (seq, problem); ``later_count`` counts them all.
    later: list[tuple[int, str]] = field(default_factory=list)
    later_count: int = 0

    @property
    def ok(self) -> bool:
        return self.broken_seq is None and self.problem is None


def head() -> tuple[int, str]:
    """Return the chain's last sequence number and hash."""
    row = db.session.get(AuditHead, 1)
    return (row.seq, row.hash) if row else (0, GENESIS_HASH)


def _stored_columns(dialect: str) -> list:
    """Select every column as stored, bypassing the column types' conversions.

    Whatever someone wrote into the table must reach the checks below as a value to judge, not
    fail while being read: SQLite keeps any bytes in any column, and on PostgreSQL a column may
    have been retyped (the data to text, to append to it; a number to text).
    """
    table = AuditEvent.__table__

    def raw(name: str):
        column = table.c[name]
        if dialect == "sqlite" and name not in _INTEGERS:
            return cast(column, LargeBinary).label(name)  # undecoded bytes: they may not be UTF-8
        if name == "data":
            return cast(column, Text).label(name)  # the JSON text as stored, parsed below
        return type_coerce(column, String).label(name)  # the driver's value, converted below

    seq = table.c.seq if dialect == "sqlite" else type_coerce(table.c.seq, String).label("seq")  # SQLite: a rowid
    return [seq, *(raw(name) for name in ("occurred_at", *_INTEGERS, *_TEXTS, "data"))]


def _moment(value) -> datetime:
    """A stored time as an aware UTC datetime: SQLite keeps zone-less UTC text, PostgreSQL a datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _integer(value):
    """A stored whole number, or None when what is stored is not one (a retyped column may hold text)."""
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value):
        return int(value)
    return value if type(value) is int else None


def _text(value):
    return bytes(value).decode("utf-8") if isinstance(value, (bytes, memoryview)) else value


def _event(row) -> tuple[dict, dict, str | None]:
    """Rebuild one event's hashed payload from its stored row.

    Return the payload, its hashes (``prev_hash``, ``hash``) and what makes it unreadable, if anything.
    """
    values, texts, problem = row._mapping, {}, None
    for name in _TEXTS:
        try:
            texts[name] = _text(values[name])
        except UnicodeDecodeError:
            texts[name] = bytes(values[name]).decode("utf-8", "replace")
            problem = problem or f"its {name} is not valid UTF-8 text"
    hashes = {"prev_hash": texts["prev_hash"], "hash": texts["hash"]}
    if problem:
        return {}, hashes, problem
    payload = {"seq": _integer(row.seq)}
    try:
        when = _text(values["occurred_at"])
        if when is None:
            return payload, hashes, "its time is missing"
        payload["occurred_at"] = _moment(when).isoformat()
    except (ValueError, TypeError, AttributeError):
        return payload, hashes, "its time is not a valid timestamp"
    for name in _INTEGERS:
        payload[name] = _integer(values[name])
        if values[name] is not None and payload[name] is None:
            return payload, hashes, f"its {name} is not a whole number"
    payload.update((name, texts[name]) for name in ("actor_label", "actor_role", "kind", "target_type"))
    try:
        stored = _text(values["data"])
    except UnicodeDecodeError:
        return payload, hashes, "its data is not valid UTF-8 text"
    if stored is None:
        return payload, hashes, "its data is missing"
    try:
        payload["data"] = json.loads(stored)
    except ValueError:
        return payload, hashes, "its data is not valid JSON"
    except RecursionError:
        return payload, hashes, "its data is nested too deeply to read"
    return payload, hashes, None


def _content_problem(payload: dict, prev_hash, stored_hash) -> str | None:
    try:
        computed = chain_hash(prev_hash if isinstance(prev_hash, str) else "", payload)
    except (ValueError, TypeError, RecursionError):  # lone surrogates, values JSON cannot hold
        return "its data cannot be hashed"
    return None if computed == stored_hash else "its content does not match its hash"


def _missing(first: int, last: int) -> str:
    return f"event {first} is missing" if first == last else f"events {first} to {last} are missing"


def verify(batch: int = 5000) -> Verification:
    """Walk the whole chain in order; name the first event that does not verify and count what follows.

    Every event is checked on its own (readable, content matching its hash, linked to the event
    before it, no number skipped), so one alteration is reported once, and the events after it
    are counted as affected: the chain no longer vouches for them.
    """
    result = Verification(0, GENESIS_HASH)
    expected_prev, expected_seq = GENESIS_HASH, 1

    def found(seq: int, problem: str) -> None:
        if result.broken_seq is None:
            result.broken_seq, result.problem = seq, problem
            return
        result.later_count += 1
        if len(result.later) < LATER_PROBLEMS_SHOWN:
            result.later.append((seq, problem))

    statement = select(*_stored_columns(db.engine.dialect.name)).order_by(AuditEvent.seq)
    rows = db.session.execute(statement.execution_options(yield_per=batch))
    try:
        for row in rows:
            result.events += 1
            payload, hashes, problem = _event(row)
            seq = payload["seq"]
            if seq is None:  # a retyped column: sorted as text, so judged apart from the order
                found(expected_seq, f"an event is numbered {str(row.seq)[:20]!r}, not with a whole number")
                continue
            if result.broken_seq is not None and seq > result.broken_seq:
                result.affected += 1
            if seq < expected_seq:
                found(seq, f"its number is out of order (the chain was at event {expected_seq - 1})")
                continue
            if seq > expected_seq:
                found(expected_seq, _missing(expected_seq, seq - 1))
                if result.broken_seq == expected_seq:
                    result.affected += 1  # this event comes after the first missing one
            elif not problem and hashes["prev_hash"] != expected_prev:
                problem = "its previous hash does not match the event before it"
            problem = problem or _content_problem(payload, hashes["prev_hash"], hashes["hash"])
            if problem:
                found(seq, problem)
            expected_prev, expected_seq = hashes["hash"], seq + 1
    finally:
        rows.close()
    result.head_hash = expected_prev if isinstance(expected_prev, str) else ""
    if result.ok:
        head_seq, head_hash = head()
        if head_seq > expected_seq - 1:
            result.broken_seq = expected_seq
            result.problem = f"{_missing(expected_seq, head_seq)}: the recorded head is event {head_seq}"
        elif (head_seq, head_hash) != (expected_seq - 1, expected_prev):
            result.problem = f"the recorded head ({head_seq}) does not match the last event ({expected_seq - 1})"
    return result


def verify_checkpoints(result: Verification, key: str | None) -> Verification:
    """Check every checkpoint: its signature, and that the chain still has that hash at that place."""
    from tracker.audit.operations import key_id, signature

    checkpoints = list(db.session.scalars(select(Checkpoint).order_by(Checkpoint.id)))
    result.checkpoints = len(checkpoints)
    if not result.ok or not checkpoints:
        return result
    if not key:
        result.problem = f"{len(checkpoints)} checkpoints need AUDIT_CHECKPOINT_KEY to be checked"
        return result
    for point in checkpoints:
        if point.key_id != key_id(key):
            result.problem = f"checkpoint {point.id} was signed with another key ({point.key_id})"
            return result
        if not hmac.compare_digest(point.signature, signature(key, point.seq, point.head_hash, point.created_at)):
            result.problem = f"checkpoint {point.id} has an invalid signature"
            return result
        at = db.session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == point.seq)) if point.seq else GENESIS_HASH
        if at != point.head_hash:
            result.broken_seq = point.seq
            result.affected = result.events - point.seq  # the chain verified, so events are 1..events
            result.problem = f"the chain no longer matches checkpoint {point.id}"
            return result
    return result
