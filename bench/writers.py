"""Writes: submitting an update through the operations, its raw-SQL equivalent, concurrent writers."""

from __future__ import annotations

import multiprocessing
import os
import time
from datetime import datetime, timezone

NARRATIVE = "Benchmark submission: the national action plan was adopted and the authorities were briefed."


def free_assignments(database, count: int) -> list[int]:
    """Assignments without an open update, spread over entities (ids ordered by entity then id)."""
    raw = database.raw()
    cur = raw.cursor()
    cur.execute("SELECT id FROM assignments WHERE open_update_id IS NULL ORDER BY id")
    ids = [row[0] for row in cur.fetchall()]
    raw.close()
    step = max(1, len(ids) // count)
    return ids[::step][:count]


def submit_through_operations(assignment_ids: list[int], errors: list | None = None) -> int:
    """Create and submit one update per assignment, one transaction each, inside an app context."""
    from sqlalchemy.exc import OperationalError

    from tracker.accounts.models import Role, User
    from tracker.extensions import db
    from tracker.progress import operations
    from tracker.progress.models import Assignment, Confidentiality, ImplementationStatus

    done = 0
    for assignment_id in assignment_ids:
        try:
            assignment = db.session.get(Assignment, assignment_id)
            author = db.session.query(User).filter_by(entity_id=assignment.entity_id, role=Role.focal_point).first()
            update = operations.create_update(
                assignment, author, claimed_status=ImplementationStatus.in_progress, narrative=NARRATIVE,
                confidentiality=Confidentiality.committee,
            )
            operations.submit_update(update, author)
            db.session.commit()
            done += 1
        except OperationalError as exc:
            db.session.rollback()
            if errors is None:
                raise
            errors.append(str(exc.orig))
    return done


def submit_raw(database, assignment_ids: list[int]) -> int:
    """The same writes as create + submit in one transaction, in plain SQL through the DBAPI."""
    from tracker.audit.models import canonical_json, chain_hash

    pg = database.engine == "postgresql"
    raw = database.raw()
    if pg:
        raw.autocommit = False
    cur = raw.cursor()
    q = (lambda sql: sql) if pg else (lambda sql: sql.replace("%s", "?"))
    stamp = (lambda t: t) if pg else (lambda t: t.strftime("%Y-%m-%d %H:%M:%S.%f"))
    cur.execute("SELECT id FROM reporting_rounds ORDER BY due LIMIT 1")
    round_id = cur.fetchone()[0]
    for assignment_id in assignment_ids:
        if not pg:
            cur.execute("BEGIN IMMEDIATE")
        cur.execute(q("SELECT a.entity_id, a.recommendation_id, r.code, u.id, u.email FROM assignments a"
                      " JOIN recommendations r ON r.id = a.recommendation_id"
                      " JOIN users u ON u.entity_id = a.entity_id AND u.role = 'focal_point' WHERE a.id = %s"), (assignment_id,))
        entity_id, recommendation_id, item, author_id, email = cur.fetchone()
        now = datetime.now(timezone.utc)
        cur.execute(q(
            "INSERT INTO progress_updates (assignment_id, round_id, entity_id, author_id, state, claimed_status, narrative,"
            " confidentiality, created_at, updated_at, version) VALUES (%s, %s, %s, %s, 'draft', 'in_progress', %s, 'committee', %s, %s, 1)"
            " RETURNING id"), (assignment_id, round_id, entity_id, author_id, NARRATIVE, stamp(now), stamp(now)))
        update_id = cur.fetchone()[0]
        cur.execute(q("UPDATE assignments SET open_update_id = %s, last_activity_at = %s, version = version + 1 WHERE id = %s"),
                    (update_id, stamp(now), assignment_id))
        content = {"claimed_status": "in_progress", "narrative": NARRATIVE, "confidentiality": "committee", "evidence": []}
        import hashlib

        digest = hashlib.sha256(canonical_json(content).encode()).hexdigest()
        for kind, data in (
            ("update.created", {"update_id": update_id, "state": "draft", "content_sha256": digest}),
            ("update.submitted", {"update_id": update_id, **content}),
        ):
            if kind == "update.submitted":
                cur.execute(q("UPDATE progress_updates SET state = 'submitted', submitted_at = %s, updated_at = %s,"
                              " version = version + 1 WHERE id = %s"), (stamp(now), stamp(now), update_id))
                cur.execute(q("UPDATE assignments SET last_activity_at = %s WHERE id = %s"), (stamp(now), assignment_id))
            cur.execute("SELECT seq, hash FROM audit_head WHERE id = 1" + (" FOR UPDATE" if pg else ""))
            seq, prev = cur.fetchone()
            data = {"assignment_id": assignment_id, "item": item, **data}
            payload = {
                "seq": seq + 1, "occurred_at": now.isoformat(), "actor_id": author_id, "actor_label": email,
                "actor_role": "focal_point", "kind": kind, "target_type": "progress_updates", "target_id": update_id,
                "entity_id": entity_id, "assignment_id": assignment_id, "recommendation_id": recommendation_id, "data": data,
            }
            digest_ = chain_hash(prev, payload)
            cur.execute(q(
                "INSERT INTO audit_events (seq, occurred_at, actor_id, actor_label, actor_role, kind, target_type, target_id,"
                " entity_id, assignment_id, recommendation_id, data, prev_hash, hash)"
                " VALUES (%s, %s, %s, %s, 'focal_point', %s, 'progress_updates', %s, %s, %s, %s, %s, %s, %s)"),
                (seq + 1, stamp(now), author_id, email, kind, update_id, entity_id, assignment_id, recommendation_id,
                 canonical_json(data), prev, digest_))
            cur.execute(q("UPDATE audit_head SET seq = %s, hash = %s WHERE id = 1"), (seq + 1, digest_))
        if pg:
            raw.commit()
        else:
            cur.execute("COMMIT")
    raw.close()
    return len(assignment_ids)


def _writer(env: dict, assignment_ids: list[int], barrier, results) -> None:
    os.environ.update(env)
    from bench.databases import app_from_env

    app = app_from_env()
    errors: list = []
    with app.app_context():
        barrier.wait()
        start = time.perf_counter()
        done = submit_through_operations(assignment_ids, errors)
        elapsed = time.perf_counter() - start
    results.put({"done": done, "errors": len(errors), "locked": sum("locked" in e for e in errors), "seconds": elapsed,
                 "start": start, "end": start + elapsed})


def concurrent_writers(database, assignment_ids: list[int], writers: int, timeout: float = 600) -> dict:
    """``writers`` processes, each with its own app and session, doing create + submit at the same time."""
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(writers), ctx.Queue()
    chunks = [assignment_ids[i::writers] for i in range(writers)]
    procs = [ctx.Process(target=_writer, args=(database.env(), chunk, barrier, results)) for chunk in chunks]
    for p in procs:
        p.start()
    found = [results.get(timeout=timeout) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    wall = max(r["end"] for r in found) - min(r["start"] for r in found)  # perf_counter is system-wide on Linux
    done = sum(r["done"] for r in found)
    return {"done": done, "errors": sum(r["errors"] for r in found), "locked": sum(r["locked"] for r in found),
            "seconds": wall, "rate": done / wall}
