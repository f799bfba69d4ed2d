"""The entity x item grid: one row per entity, one cell per item, from the assignments' projection."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from tracker.catalogue.models import EntityKind
from tracker.core.db import today
from tracker.core.paging import Page
from tracker.extensions import db
from tracker.progress.models import Assignment, UpdateState
from tracker.progress.workflow import overdue
from tracker.reports.tally import STATUS_VALUES, Tally
from tracker.reports.dashboard import CatalogueRows


@dataclass
class GridFilters:
    session: str = ""
    kind: str = ""
    q: str = ""
    status: str = ""
    sort: str = "name"
    page: int = 1

    SORTS = ("name", "code", "progress", "least", "overdue")

    def clean(self) -> GridFilters:
        if self.sort not in self.SORTS:
            self.sort = "name"
        if self.status not in STATUS_VALUES:
            self.status = ""
        if self.kind not in {k.value for k in EntityKind}:
            self.kind = ""
        self.q = self.q.strip()[:80]
        self.page = max(1, self.page)
        return self

    def args(self, **changes) -> dict:
        values = {"session": self.session, "kind": self.kind, "q": self.q, "status": self.status, "sort": self.sort, "page": self.page}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None) and not (k == "page" and v == 1) and not (k == "sort" and v == "name")}


@dataclass
class GridRow:
    entity: object  # a catalogue row: id, code, name, kind
    cells: dict  # item id -> (assignment id, status value, overdue, open state value)
    tally: Tally


GRID_PAGE_SIZE = 250


def grid(filters: GridFilters, cat: CatalogueRows) -> tuple[list, Page]:
    """Return the items (columns) and one page of entity rows, from the catalogue ``cat``."""
    session_ids = {s.id for s in cat.sessions if not filters.session or s.code == filters.session}
    items = [i for i in cat.items.values() if i.session_id in session_ids]
    item_ids = [i.id for i in items]
    day = today()
    query = select(
        Assignment.entity_id, Assignment.recommendation_id, Assignment.id, Assignment.official_status, Assignment.due, Assignment.open_update_state
    ).where(Assignment.recommendation_id.in_(item_ids or [-1]))
    entity_ids = [
        e.id for e in cat.entities.values()
        if (not filters.kind or e.kind.value == filters.kind)
        and (not filters.q or filters.q.lower() in e.name.lower() or filters.q.lower() == e.code.lower())
    ]
    if len(entity_ids) < len(cat.entities):
        query = query.where(Assignment.entity_id.in_(entity_ids or [-1]))
    rows: dict[int, GridRow] = {}
    for entity_id, item_id, assignment_id, status, due, state in db.session.execute(query):
        row = rows.get(entity_id) or rows.setdefault(entity_id, GridRow(cat.entities[entity_id], {}, Tally()))
        late = overdue(due, status, day)
        row.cells[item_id] = (assignment_id, status.value, late, state.value if state else None)
        row.tally.add(status.value, 1, overdue=int(late), returned=int(state is UpdateState.returned))
    found = [r for r in rows.values() if not filters.status or r.tally.by_status.get(filters.status)]
    keys = {
        "name": lambda r: r.entity.name.lower(),
        "code": lambda r: r.entity.code,
        "progress": lambda r: (-r.tally.reported / (r.tally.total or 1), r.entity.name.lower()),
        "least": lambda r: (r.tally.reported / (r.tally.total or 1), r.entity.name.lower()),
        "overdue": lambda r: (-r.tally.overdue, r.entity.name.lower()),
    }
    found.sort(key=keys[filters.sort])
    return items, Page(len(found), GRID_PAGE_SIZE, filters.page).take(found)
