"""The lists behind the dashboard's numbers: one page of assignments, live or as of a day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload

from tracker.catalogue.models import BriefingSession, Entity, Recommendation, ReportingRound, Theme
from tracker.core.db import today
from tracker.core.paging import Page
from tracker.extensions import db
from tracker.progress.models import Assignment, ImplementationStatus, UpdateState
from tracker.reports.dashboard import projection, round_on, tally_columns
from tracker.reports.tally import STATUS_VALUES, Tally

FLAGS = ("accepted", "overdue", "returned", "not_accepted")
PAGE_SIZE = 100


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
class AssignmentRow:
    """One assignment as a list shows it; status and flags as of the list's day."""

    assignment: Assignment
    status: ImplementationStatus
    open_state: UpdateState | None
    overdue: bool
    accepted: bool
    last_activity: object
    accepted_update_id: int | None

    @classmethod
    def live(cls, a: Assignment, round_: ReportingRound | None) -> AssignmentRow:
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
    round_ = round_on(day)
    flags, joined = projection(round_.id if round_ else None, day)
    query = joined.join(Entity, Entity.id == Assignment.entity_id).join(BriefingSession, BriefingSession.id == Recommendation.session_id)
    query = query.where(*_catalogue_conditions(filters))
    if filters.status:
        query = query.where(Assignment.official_status == ImplementationStatus(filters.status))
    if filters.flag:
        query = query.where(flags[filters.flag])
    page = Page(db.session.scalar(query.with_only_columns(func.count())), PAGE_SIZE, filters.page)
    found = db.session.scalars(query.options(*_LOADS).order_by(*_ORDER).limit(page.size).offset(page.offset))
    page.rows = [AssignmentRow.live(a, round_) for a in found]
    return page


def item_addressees(recommendation_id: int, status: str, number: int) -> tuple[ReportingRound | None, Tally, Page]:
    """An item's round, its tally over every addressee, and one page of addressees by name
    (those with ``status`` if given), read from the projection: no update is read."""
    day = today()
    round_ = round_on(day)
    flags, _joined = projection(round_.id if round_ else None, day)
    mine = Assignment.recommendation_id == recommendation_id
    tally = Tally.of(*db.session.execute(select(*tally_columns(flags)).where(mine)).one())
    query = select(Assignment).join(Entity, Entity.id == Assignment.entity_id).where(mine)
    if status:
        query = query.where(Assignment.official_status == ImplementationStatus(status))
    page = Page(db.session.scalar(query.with_only_columns(func.count())), PAGE_SIZE, number)
    found = db.session.scalars(query.options(contains_eager(Assignment.entity)).order_by(Entity.name).limit(page.size).offset(page.offset))
    page.rows = [AssignmentRow.live(a, round_) for a in found]
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
