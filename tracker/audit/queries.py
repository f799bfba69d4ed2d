"""Read and verify the chain."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

import hmac

from tracker.audit.models import GENESIS_HASH, AuditEvent, AuditHead, Checkpoint
from tracker.extensions import db


@dataclass
class Verification:
    events: int
    head_hash: str
    broken_seq: int | None = None
    problem: str | None = None
    checkpoints: int = 0

    @property
    def ok(self) -> bool:
        return self.broken_seq is None and self.problem is None


def head() -> tuple[int, str]:
    """Return the chain's last sequence number and hash."""
    row = db.session.get(AuditHead, 1)
    return (row.seq, row.hash) if row else (0, GENESIS_HASH)


def verify(batch: int = 5000) -> Verification:
    """Walk the whole chain in order and report the first event that does not verify."""
    expected_prev, expected_seq, count = GENESIS_HASH, 1, 0
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch))
    try:
        for event in events:
            count += 1
            if event.seq != expected_seq:
                return Verification(count, expected_prev, expected_seq, f"event {expected_seq} is missing")
            if event.prev_hash != expected_prev:
                return Verification(count, expected_prev, event.seq, "its previous hash does not match the event before it")
            if event.compute_hash() != event.hash:
                return Verification(count, expected_prev, event.seq, "its content does not match its hash")
            expected_prev, expected_seq = event.hash, event.seq + 1
            db.session.expunge(event)
    finally:
        events.close()
    head_seq, head_hash = head()
    if (head_seq, head_hash) != (expected_seq - 1, expected_prev):
        return Verification(count, expected_prev, None, f"the recorded head ({head_seq}) does not match the last event ({expected_seq - 1})")
    return Verification(count, expected_prev)


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
            result.problem = f"the chain no longer matches checkpoint {point.id}"
            return result
    return result
