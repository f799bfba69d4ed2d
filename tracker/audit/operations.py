"""Write audit events; every operation that changes something calls ``record``."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import select

from tracker.audit.models import AuditEvent, AuditHead, canonical_json
from tracker.core.db import utcnow
from tracker.extensions import db

SYSTEM = "system"


def record(
    kind: str,
    *,
    actor=None,
    target=None,
    entity=None,
    data: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> AuditEvent:
    """Append an event to the chain in the current transaction; only flushes.

    ``actor`` is the acting user (None for the system: seeding, demo data, migrations);
    ``target`` any model instance with an id; ``entity`` the entity whose data it concerns.
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
