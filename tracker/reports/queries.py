"""Read the dashboard, its lists and the grid from the assignments' projection.

The live figures come from GROUP BYs over ``assignments`` (official_status, due, last_activity_at,
official_since, accepted_round_id, open_update_state), no update read: their cost follows
entities x items, never the number of updates. Figures "as of" a past day come from the
history instead (``tracker.reports.history``) and fold into the same shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup, escape
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload

from tracker.catalogue.models import Briefing, BriefingSession, Entity, EntityKind, Recommendation, Theme, recommendation_themes
from tracker.core.db import today, utc_day
from tracker.core.paging import Page
from tracker.extensions import db
from tracker.progress.models import SHAPES, Assignment, ImplementationStatus, ReportingRound, UpdateState
from tracker.progress.operations import current_round
from tracker.progress.workflow import overdue
from tracker.reports.tally import STATUS_VALUES, Tally

FLAGS = ("accepted", "overdue", "returned", "not_accepted")
PAGE_SIZE = 100


def all_rounds() -> list[ReportingRound]:
    return list(db.session.scalars(select(ReportingRound).order_by(ReportingRound.due, ReportingRound.id)))


@dataclass
class Catalogue:
    """The small side of the dashboard as plain rows, no ORM object: sessions, active items, themes
    and entities, and which themes each item carries."""

    sessions: list  # id, code, title, briefing_date
    items: dict  # id -> id, code, text, kind, due, session_id, briefing_code
    themes: list  # id, code, title
    entities: dict  # id -> id, code, name, kind
    item_themes: dict  # item id -> [theme id]

    def session_of(self, item_id: int) -> int:
        return self.items[item_id].session_id


def catalogue() -> Catalogue:
    rows = db.session.execute
    items = rows(
        select(
            Recommendation.id, Recommendation.code, Recommendation.text, Recommendation.kind, Recommendation.due,
            Recommendation.session_id, Briefing.code.label("briefing_code"),
        )
        .join(Recommendation.session)
        .join(Recommendation.briefing)
        .where(Recommendation.retired_at.is_(None))
        .order_by(Briefing.date, BriefingSession.position, Recommendation.position)
    ).all()
    sessions = rows(
        select(BriefingSession.id, BriefingSession.code, BriefingSession.title, Briefing.date.label("briefing_date"))
        .join(BriefingSession.briefing)
        .order_by(Briefing.date, BriefingSession.position)
    ).all()
    themes = rows(select(Theme.id, Theme.code, Theme.title).order_by(Theme.title)).all()
    entities = rows(select(Entity.id, Entity.code, Entity.name, Entity.kind).order_by(Entity.name)).all()
    item_themes: dict[int, list[int]] = {}
    for item_id, theme_id in rows(select(recommendation_themes.c.recommendation_id, recommendation_themes.c.theme_id)).all():
        item_themes.setdefault(item_id, []).append(theme_id)
    return Catalogue(sessions, {i.id: i for i in items}, themes, {e.id: e for e in entities}, item_themes)


@dataclass
class Dashboard:
    day: date  # the day the figures describe: today, or the as-of day
    as_of: date | None
    round: ReportingRound | None
    catalogue: Catalogue
    total: Tally = field(default_factory=Tally)
    sessions: list = field(default_factory=list)  # [(session, Tally)]
    themes: list = field(default_factory=list)  # [(theme, Tally)]
    entities: list = field(default_factory=list)  # [(entity, Tally)]
    items: dict = field(default_factory=dict)  # item id -> Tally
    timeline: list = field(default_factory=list)  # [(day, accepted that day)]

    def silent(self, days: int) -> list:
        """Entities with no activity on any of their assignments for ``days`` days or more."""
        found = []
        for entity, tally in self.entities:
            since = tally.silent_for(self.day)
            if since is None or since >= days:
                found.append((entity, tally, since))
        return found


# The projection, read live


def _projection(round_id: int | None, day: date):
    """Return the flags (conditions, by name) and the FROM of the live projection: the assignments alone."""
    round_id = round_id or -1
    flags = {
        "accepted": Assignment.accepted_round_id == round_id,
        "not_accepted": Assignment.accepted_round_id.is_distinct_from(round_id),
        "overdue": Assignment.overdue_on(day),
        "returned": Assignment.open_update_state == UpdateState.returned,
    }
    joined = (
        select(Assignment)
        .join(Recommendation, Recommendation.id == Assignment.recommendation_id)
        .where(Recommendation.retired_at.is_(None))
    )
    return flags, joined


def _counts(flags: dict) -> tuple:
    """The columns of one group's Tally (see Tally.of): a count per status, then the accepted,
    overdue and returned flags. One row per group, not one per group and status: fewer rows to
    hash in the database and to fold here."""
    by_status = (func.count().filter(Assignment.official_status == status) for status in ImplementationStatus)
    return (*by_status, *(func.count().filter(flags[flag]) for flag in ("accepted", "overdue", "returned")))


def live_dashboard(round_: ReportingRound | None = None) -> Dashboard:
    """Return today's figures from the projection: three GROUP BYs over the assignments.

    "Accepted" counts updates accepted in ``round_``, by default the round open today; the
    assignments carry the accepted update's round and the open update's state, so no update is
    read: the cost follows entities x items, never the number of updates.
    """
    day = today()
    round_ = round_ or current_round(day)
    round_id = round_.id if round_ else -1
    flags, joined = _projection(round_id, day)
    counts = _counts(flags)
    items = db.session.execute(
        joined.with_only_columns(Assignment.recommendation_id, *counts).group_by(Assignment.recommendation_id)
    ).all()
    entities = db.session.execute(
        joined.with_only_columns(Assignment.entity_id, *counts, func.max(Assignment.last_activity_at)).group_by(Assignment.entity_id)
    ).all()
    accepted_on = utc_day(Assignment.official_since)
    timeline = db.session.execute(
        joined.with_only_columns(accepted_on, func.count()).where(flags["accepted"]).group_by(accepted_on)
    ).all()
    return fold(day, None, round_, items, entities, timeline)


def fold(day, as_of, round_, item_rows, entity_rows, timeline_rows) -> Dashboard:
    """Shape grouped rows into the dashboard; the live and the as-of paths share this.

    Item rows are (item id, *counts), entity rows (entity id, *counts, last activity), with the
    counts of ``Tally.of``; timeline rows are (day, accepted that day).
    """
    board = Dashboard(day=day, as_of=as_of, round=round_, catalogue=catalogue())
    cat = board.catalogue
    board.items = {item_id: Tally.of(*counts) for item_id, *counts in item_rows if item_id in cat.items}
    by_session = {s.id: Tally() for s in cat.sessions}
    by_theme = {t.id: Tally() for t in cat.themes}
    for item_id, tally in board.items.items():
        board.total.merge(tally)
        by_session[cat.session_of(item_id)].merge(tally)
        for theme_id in cat.item_themes.get(item_id, ()):
            by_theme[theme_id].merge(tally)
    board.sessions = [(s, by_session[s.id]) for s in cat.sessions if by_session[s.id].total]
    board.themes = [(t, by_theme[t.id]) for t in cat.themes if by_theme[t.id].total]
    by_entity = {entity_id: Tally.of(*counts, last=last) for entity_id, *counts, last in entity_rows}
    board.entities = [(e, by_entity[e.id]) for e in cat.entities.values() if e.id in by_entity]
    board.timeline = sorted((date.fromisoformat(str(d)[:10]), n) for d, n in timeline_rows if d is not None)
    return board


# The lists behind the numbers


@dataclass
class ListFilters:
    session: str = ""
    theme: str = ""
    entity: str = ""
    item: str = ""
    status: str = ""
    flag: str = ""
    as_of: date | None = None
    page: int = 1

    def clean(self) -> ListFilters:
        if self.status not in STATUS_VALUES:
            self.status = ""
        if self.flag not in FLAGS:
            self.flag = ""
        self.page = max(1, self.page)
        return self

    def args(self, **changes) -> dict:
        values = {
            "session": self.session, "theme": self.theme, "entity": self.entity, "item": self.item,
            "status": self.status, "flag": self.flag, "as_of": self.as_of.isoformat() if self.as_of else "", "page": self.page,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None) and not (k == "page" and v == 1)}


@dataclass
class Row:
    """One assignment as a list shows it; status and flags as of the list's day."""

    assignment: Assignment
    status: ImplementationStatus
    open_state: UpdateState | None
    overdue: bool
    accepted: bool
    last_activity: object
    accepted_update_id: int | None

    @classmethod
    def live(cls, a: Assignment, round_: ReportingRound | None) -> Row:
        """The row as it stands today, from the assignment's projection alone: no update is read."""
        accepted = round_ is not None and a.accepted_round_id == round_.id
        return cls(a, a.official_status, a.open_update_state, a.is_overdue, accepted, a.last_activity_at, a.accepted_update_id)


def _catalogue_conditions(filters: ListFilters) -> list:
    conditions = [Recommendation.retired_at.is_(None)]
    if filters.session:
        conditions.append(Recommendation.session.has(BriefingSession.code == filters.session))
    if filters.theme:
        conditions.append(Recommendation.themes.any(Theme.code == filters.theme))
    if filters.item:
        conditions.append(Recommendation.code == filters.item)
    if filters.entity:
        conditions.append(Assignment.entity.has(Entity.code == filters.entity))
    return conditions


_ORDER = (Entity.name, BriefingSession.position, Recommendation.position)
_LOADS = (
    joinedload(Assignment.entity),
    joinedload(Assignment.recommendation).joinedload(Recommendation.session),
)


def live_list(filters: ListFilters) -> Page:
    """Return one page of the assignments behind a live figure."""
    day = today()
    round_ = current_round(day)
    flags, joined = _projection(round_.id if round_ else None, day)
    query = joined.join(Entity, Entity.id == Assignment.entity_id).join(BriefingSession, BriefingSession.id == Recommendation.session_id)
    query = query.where(*_catalogue_conditions(filters))
    if filters.status:
        query = query.where(Assignment.official_status == ImplementationStatus(filters.status))
    if filters.flag:
        query = query.where(flags[filters.flag])
    page = Page(db.session.scalar(query.with_only_columns(func.count())), PAGE_SIZE, filters.page)
    found = db.session.scalars(query.options(*_LOADS).order_by(*_ORDER).limit(page.size).offset(page.offset))
    page.rows = [Row.live(a, round_) for a in found]
    return page


def item_addressees(recommendation_id: int, status: str, number: int) -> tuple[ReportingRound | None, Tally, Page]:
    """An item's round, its tally over every addressee, and one page of addressees by name
    (those with ``status`` if given), read from the projection: no update is read."""
    day = today()
    round_ = current_round(day)
    flags, _joined = _projection(round_.id if round_ else None, day)
    mine = Assignment.recommendation_id == recommendation_id
    tally = Tally.of(*db.session.execute(select(*_counts(flags)).where(mine)).one())
    query = select(Assignment).join(Entity, Entity.id == Assignment.entity_id).where(mine)
    if status:
        query = query.where(Assignment.official_status == ImplementationStatus(status))
    page = Page(db.session.scalar(query.with_only_columns(func.count())), PAGE_SIZE, number)
    found = db.session.scalars(query.options(contains_eager(Assignment.entity)).order_by(Entity.name).limit(page.size).offset(page.offset))
    page.rows = [Row.live(a, round_) for a in found]
    return round_, tally, page


def assignments_by_id(ids: list[int]) -> dict[int, Assignment]:
    if not ids:
        return {}
    found = db.session.scalars(select(Assignment).where(Assignment.id.in_(ids)).options(*_LOADS))
    return {a.id: a for a in found}


def assignment_ids(filters: ListFilters) -> list[int]:
    """Return the ids of assignments matching the catalogue filters (for as-of lists), in list order."""
    query = (
        select(Assignment.id)
        .join(Assignment.recommendation)
        .join(Entity, Entity.id == Assignment.entity_id)
        .join(BriefingSession, BriefingSession.id == Recommendation.session_id)
        .where(*_catalogue_conditions(filters))
        .order_by(*_ORDER)
    )
    return list(db.session.scalars(query))


# The entity x item grid


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

    def render_cells(self, items: list, base: str, labels: dict) -> Markup:
        """Return the row's cells as HTML: built here, not in Jinja, since a page holds thousands.

        Each cell shows the status by shape and colour, names it in words (the link's
        accessible name, which replaces the shape for assistive technology), and links to
        the assignment.
        """
        parts = []
        for item in items:
            cell = self.cells.get(item.id)
            if cell is None:
                parts.append('<td class="cell none">·</td>')
                continue
            assignment_id, status, overdue, state = cell
            words = labels[status]
            flags = ""
            if overdue:
                flags += '<span class="flag" aria-hidden="true">!</span>'
                words += labels["overdue"]
            if state == "returned":
                flags += '<span class="flag" aria-hidden="true">↩</span>'
                words += labels["returned"]
            parts.append(
                f'<td class="cell c-{status}"><a href="{base}{assignment_id}" aria-label="{escape(words)}">'
                f'{SHAPES[status]}{flags}</a></td>'
            )
        return Markup("".join(parts))


GRID_PAGE_SIZE = 250


def grid(filters: GridFilters, cat: Catalogue) -> tuple[list, Page]:
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

