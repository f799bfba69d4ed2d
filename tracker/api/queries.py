"""Read what the API pages through that no page of the site reads the same way."""

from __future__ import annotations

from tracker.audit.models import AuditEvent
from tracker.exports import queries as export_queries
from tracker.extensions import db


def events_after(
    user, filters: export_queries.TimelineFilters, after: int, size: int, before: int | None = None
) -> tuple[list[AuditEvent], int | None]:
    """Return one page of events in chain order after sequence ``after`` (and before ``before``, if
    given), and the next page's key (or None).

    Keyset pagination on the sequence number, as the timelines' newest-first pages: the last page
    costs what the first does, and events appended meanwhile come on later pages.
    """
    query = export_queries.filtered(export_queries.scoped(user), filters).where(AuditEvent.seq > after)
    if before is not None:
        query = query.where(AuditEvent.seq < before)
    events = list(db.session.scalars(query.order_by(AuditEvent.seq).limit(size + 1)))
    more = len(events) > size
    events = events[:size]
    return events, (events[-1].seq if more else None)
