"""Write audit events; every operation that changes something calls ``record``."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any

from sqlalchemy import select

from tracker.audit.models import AuditEvent, AuditHead, Checkpoint, canonical_json
from tracker.core.db import utcnow
from tracker.extensions import db

SYSTEM = "system"


def record(
    kind: str,
    *,
    actor=None,
    target=None,
    entity=None,
    assignment=None,
    data: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> AuditEvent:
    """Append an event to the chain in the current transaction; only flushes.

    ``actor`` is the acting user (None for the system: seeding, demo data, migrations);
    ``target`` any model instance with an id; ``entity`` the entity whose data it concerns;
    ``assignment`` the assignment a progress event concerns.
    """
    db.session.flush()  # the target's id must exist before it is recorded
    head = db.session.scalar(select(AuditHead).where(AuditHead.id == 1).with_for_update())
    event = AuditEvent(
        seq=head.seq + 1,
        occurred_at=occurred_at or utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_label=getattr(actor, "email", None) or SYSTEM,
        actor_role=getattr(getattr(actor, "role", None), "value", None),
        kind=kind,
        target_type=getattr(target, "__tablename__", None),
        target_id=getattr(target, "id", None),
        entity_id=getattr(entity, "id", None),
        assignment_id=getattr(assignment, "id", None),
        recommendation_id=getattr(assignment, "recommendation_id", None),
        data=data or {},
        prev_hash=head.hash,
    )
    event.hash = event.compute_hash()
    head.seq, head.hash = event.seq, event.hash
    db.session.add(event)
    db.session.flush()
    return event


def digest(value: Any) -> str:
    """Return a SHA-256 digest of a value, recorded where the value itself must stay private."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


MIN_KEY_LENGTH = 32


def signature(key: str, seq: int, head_hash: str, created_at: datetime) -> str:
    """HMAC-SHA256 over the checkpoint's statement, with a key the database never holds."""
    statement = f"{seq}|{head_hash}|{created_at.isoformat()}"
    return hmac.new(key.encode("utf-8"), statement.encode("utf-8"), hashlib.sha256).hexdigest()


def key_id(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def checkpoint(key: str | None) -> Checkpoint:
    """Record the chain's head, signed; then log that a checkpoint was taken.

    :raise ValueError: no key, or a key shorter than 32 characters.
    """
    if not key or len(key) < MIN_KEY_LENGTH:
        raise ValueError(f"AUDIT_CHECKPOINT_KEY must be set to at least {MIN_KEY_LENGTH} characters")
    head = db.session.scalar(select(AuditHead).where(AuditHead.id == 1).with_for_update())
    created_at = utcnow()
    row = Checkpoint(
        seq=head.seq,
        head_hash=head.hash,
        created_at=created_at,
        key_id=key_id(key),
        signature=signature(key, head.seq, head.hash, created_at),
    )
    db.session.add(row)
    record("audit.checkpoint", data={"seq": row.seq, "head_hash": row.head_hash, "key_id": row.key_id})
    return row
