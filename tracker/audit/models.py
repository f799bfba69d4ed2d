"""Audit events: one row per change, chained by SHA-256 so that any alteration shows."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.core.db import UTCDateTime, canonical_json
from tracker.extensions import db

GENESIS_HASH = "0" * 64


class AuditEvent(db.Model):
    """One recorded change. The database refuses UPDATE and DELETE on this table."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_target", "target_type", "target_id", "seq"),
        Index("ix_audit_events_entity_seq", "entity_id", "seq"),
        Index("ix_audit_events_occurred_at", "occurred_at"),
        Index("ix_audit_events_assignment_seq", "assignment_id", "seq"),
        Index("ix_audit_events_recommendation_seq", "recommendation_id", "seq"),
    )

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(254))
    actor_role: Mapped[Optional[str]] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(60), index=True)
    target_type: Mapped[Optional[str]] = mapped_column(String(40))
    target_id: Mapped[Optional[int]]
    entity_id: Mapped[Optional[int]] = mapped_column(ForeignKey("entities.id"))
    # Which assignment and item a progress event concerns, so timelines page by index.
    assignment_id: Mapped[Optional[int]]
    recommendation_id: Mapped[Optional[int]]
    data: Mapped[dict] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def payload(self) -> dict:
        """Return every field the hash covers, in the form exports carry."""
        return {
            "seq": self.seq,
            "occurred_at": self.occurred_at.isoformat(),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "actor_role": self.actor_role,
            "kind": self.kind,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "entity_id": self.entity_id,
            "assignment_id": self.assignment_id,
            "recommendation_id": self.recommendation_id,
            "data": self.data,
        }

    def compute_hash(self) -> str:
        return chain_hash(self.prev_hash, self.payload())


def chain_hash(prev_hash: str, payload: dict) -> str:
    """Hash one event: SHA-256 over the previous hash and the event's canonical JSON."""
    return hashlib.sha256((prev_hash + canonical_json(payload)).encode("utf-8")).hexdigest()


class AuditHead(db.Model):
    """The single row holding the chain's last sequence number and hash.

    Writers lock it (SELECT ... FOR UPDATE on PostgreSQL; SQLite writers are already serialized
    by BEGIN IMMEDIATE), so events are numbered and chained one at a time.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))


class Checkpoint(db.Model):
    """A signed statement of the chain's head at one moment.

    The HMAC key comes from the environment and is never stored here, so rewriting the log
    and its checkpoints together needs a key the database does not hold.
    """

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int]
    head_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))
