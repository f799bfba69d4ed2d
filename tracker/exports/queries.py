"""Timelines: the audit events a person may read, filtered, paged by key, streamed in order."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterator

from sqlalchemy import Select, Text, bindparam, cast, select

from tracker.audit.models import AuditEvent
from tracker.catalogue.models import BriefingSession, Entity, Recommendation
from tracker.core.db import canonical_json
from tracker.core.web import id_arg
from tracker.extensions import db

PAGE_SIZE = 50


@dataclass
class TimelineFilters:
    """What a timeline shows; every field optional. Dates are whole UTC days, inclusive."""

    entity: str = ""
    session: str = ""
    item: str = ""
    assignment: int | None = None
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None
    problems: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> TimelineFilters:
        """Read filters from a query string; a malformed value is dropped and named in ``problems``."""
        filters = cls(
            entity=args.get("entity", "").strip().upper(),
            session=args.get("session", "").strip(),
            item=args.get("item", "").strip(),
            kind=args.get("kind", "").strip(),
        )
        if args.get("assignment", "").strip():
            filters.assignment = id_arg(args["assignment"])
            if filters.assignment is None:
                filters.problems.append("assignment")
        for name in ("date_from", "date_to"):
            value = args.get(name, "").strip()
            if value:
                try:
                    setattr(filters, name, date.fromisoformat(value))
                except ValueError:
                    filters.problems.append(name)
        return filters

    def as_dict(self) -> dict:
        """The filters as an export's manifest records them."""
        values = asdict(self)
        values.pop("problems")
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items() if v not in ("", None)}


def scoped(user, *columns) -> Select:
    """Every event the user may read: auditors and the secretariat all; a focal point their entity's.

    With ``columns``, only those are selected (no ORM objects), for streaming exports.
    """
    query = select(*columns).select_from(AuditEvent) if columns else select(AuditEvent)
    if user.role.value == "focal_point":
        query = query.where(AuditEvent.entity_id == user.entity_id)
    return query


def filtered(query: Select, filters: TimelineFilters) -> Select:
    if filters.entity:
        query = query.where(AuditEvent.entity_id == select(Entity.id).where(Entity.code == filters.entity).scalar_subquery())
    if filters.item:
        query = query.where(
            AuditEvent.recommendation_id.in_(select(Recommendation.id).where(Recommendation.code == filters.item))
        )
    if filters.session:
        query = query.where(
            AuditEvent.recommendation_id.in_(
                select(Recommendation.id).join(Recommendation.session).where(BriefingSession.code == filters.session)
            )
        )
    if filters.assignment is not None:
        query = query.where(AuditEvent.assignment_id == filters.assignment)
    if filters.kind:
        query = query.where(AuditEvent.kind == filters.kind)
    if filters.date_from:
        query = query.where(AuditEvent.occurred_at >= datetime.combine(filters.date_from, time.min, timezone.utc))
    if filters.date_to and filters.date_to < date.max:
        query = query.where(AuditEvent.occurred_at < datetime.combine(filters.date_to + timedelta(days=1), time.min, timezone.utc))
    return query


def page(user, filters: TimelineFilters, before: int | None = None, size: int = PAGE_SIZE) -> tuple[list[AuditEvent], int | None]:
    """Return one page of events, newest first, and the key of the next page (or None).

    Keyset pagination on the sequence number: page 5,000 costs what page 1 costs.
    """
    query = filtered(scoped(user), filters)
    if before is not None:
        query = query.where(AuditEvent.seq < before)
    events = list(db.session.scalars(query.order_by(AuditEvent.seq.desc()).limit(size + 1)))
    more = len(events) > size
    events = events[:size]
    return events, (events[-1].seq if more else None)


# What an export row is made of, in the order of ``formats.COLUMNS``: the hashed fields (``data`` as
# the JSON text stored, which is canonical), the chain links, then the readable codes.
EXPORTED = (
    AuditEvent.seq, AuditEvent.occurred_at, AuditEvent.actor_id, AuditEvent.actor_label, AuditEvent.actor_role,
    AuditEvent.kind, AuditEvent.target_type, AuditEvent.target_id, AuditEvent.entity_id, AuditEvent.assignment_id,
    AuditEvent.recommendation_id, cast(AuditEvent.data, Text), AuditEvent.prev_hash, AuditEvent.hash,
)


def stream(user, filters: TimelineFilters, up_to: int, batch: int = 5000) -> Iterator[tuple]:
    """Yield the matching events up to sequence ``up_to`` in chain order, as ``EXPORTED`` tuples.

    Each batch is a keyset query of its own, so memory stays flat and no cursor stays open
    between batches while a response streams. Rows are plain DBAPI tuples: an export of a
    million events builds no ORM object and decodes no JSON.
    """
    query = (
        filtered(scoped(user, *EXPORTED), filters)
        .where(AuditEvent.seq > bindparam("after"), AuditEvent.seq <= up_to)
        .order_by(AuditEvent.seq)
        .limit(batch)
    )
    connection, after = db.session.connection(), 0
    while True:
        # SQLAlchemy compiles and binds; the rows come straight from the DBAPI cursor, with
        # ``occurred_at`` as the driver gives it: row objects and type processing would double
        # the time of a large export.
        result = connection.execute(query, {"after": after})
        rows = result.cursor.fetchall()
        result.close()
        if not rows:
            return
        yield from rows
        after = rows[-1][0]


def labels() -> tuple[dict[int, str], dict[int, str]]:
    """Codes of entities and items by id, to make exported rows readable."""
    entities = {row.id: row.code for row in db.session.execute(select(Entity.id, Entity.code))}
    items = {row.id: row.code for row in db.session.execute(select(Recommendation.id, Recommendation.code))}
    return entities, items


def entity_names() -> list:
    """Every entity's id, code and name, by name: the chooser's choices and the page's labels."""
    return list(db.session.execute(select(Entity.id, Entity.code, Entity.name).order_by(Entity.name)))


def actors(events: list[AuditEvent]) -> dict[int, tuple[str, int | None]]:
    """The name and entity of each person who acted in ``events``, by user id (one query a page)."""
    from tracker.accounts.models import User

    ids = {e.actor_id for e in events if e.actor_id is not None}
    if not ids:
        return {}
    return {row.id: (row.name, row.entity_id) for row in db.session.execute(select(User.id, User.name, User.entity_id).where(User.id.in_(ids)))}


def timeline_rows(user, filters: TimelineFilters):
    """Return (rows, manifest) for an export: rows up to the chain head as it was when asked.

    Each row is a list of cells in ``formats.COLUMNS`` order, ``data`` as canonical JSON text.
    ``manifest()`` is called after the last row and says what the export holds.
    """
    from tracker.audit.queries import head
    from tracker.core.db import as_utc, utcnow
    from tracker.exports.formats import COLUMNS, FORMAT

    occurred, entity, item, data = (COLUMNS.index(name) for name in ("occurred_at", "entity_id", "recommendation_id", "data"))
    head_seq, head_hash = head()
    generated_at = utcnow().isoformat()
    entities, items = labels()
    counted = {"rows": 0}

    def rows():
        count = 0
        for event in stream(user, filters, head_seq):
            cells = [*event, entities.get(event[entity]), items.get(event[item])]
            cells[occurred] = as_utc(cells[occurred]).isoformat()
            if '": ' in cells[data]:  # stored before JSON columns were written canonically
                cells[data] = canonical_json(json.loads(cells[data]))
            count += 1
            yield cells
        counted["rows"] = count

    def manifest() -> dict:
        scope = "all" if user.role.value != "focal_point" else f"entity:{entities.get(user.entity_id)}"
        return {
            "format": FORMAT,
            "generated_at": generated_at,
            "generated_by": user.email,
            "scope": scope,
            "filters": filters.as_dict(),
            "rows": counted["rows"],
            "head_seq": head_seq,
            "head_hash": head_hash,
            "complete_chain": scope == "all" and not filters.as_dict(),
        }

    return rows(), manifest


def open_data_rows() -> Iterator[dict]:
    """Yield the accepted public statuses, one row per assignment; nothing else is disclosed."""
    from tracker.progress.queries import published_statuses

    for assignment in published_statuses():
        update = assignment.published_update
        yield {
            "item": assignment.recommendation.code,
            "entity": assignment.entity.code,
            "entity_name": assignment.entity.name,
            "status": update.assessed_status.value,
            "accepted_at": update.reviewed_at.isoformat(),
            "narrative": update.narrative,
            "evidence_links": [e.url for e in update.current_evidence if e.url],
        }
