"""Read assignments and updates, always within what the user may see.

Lists read the assignments' status projection, never the history of updates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from tracker.audit.models import AuditEvent
from tracker.catalogue.models import BriefingSession, Entity, Recommendation, Theme
from tracker.core.db import today, utcnow
from tracker.core.paging import Page
from tracker.extensions import db
from tracker.progress.models import (
    CLOSED_STATUSES,
    Assignment,
    Confidentiality,
    ImplementationStatus,
    ProgressUpdate,
    ReportingRound,
    UpdateState,
    round_for,
)


def rounds() -> list[ReportingRound]:
    """Every reporting round, in cut-off order."""
    return list(db.session.scalars(select(ReportingRound).order_by(ReportingRound.due, ReportingRound.id)))


def open_round(now: datetime | None = None) -> ReportingRound | None:
    """Return the round open for updates: the first whose cut-off has not passed (None after the last one)."""
    return round_for(now or utcnow(), rounds())


def last_closed_round(now: datetime | None = None) -> ReportingRound | None:
    """Return the round whose cut-off passed most recently, if any."""
    moment = now or utcnow()
    return next((r for r in reversed(rounds()) if r.is_closed(moment)), None)


def get_assignment(assignment_id: int, user) -> Assignment:
    """Load an assignment the user may see.

    :raise 404: no such assignment, or it belongs to another entity (existence not revealed).
    """
    assignment = db.session.get(
        Assignment,
        assignment_id,
        options=[joinedload(Assignment.recommendation).joinedload(Recommendation.session), joinedload(Assignment.entity)],
    )
    if assignment is None or not assignment.can_view(user):
        abort(404)
    return assignment


def get_update(update_id: int, user) -> ProgressUpdate:
    """Load an update the user may see.

    :raise 404: no such update, or the user may not see it (another entity's, or a draft).
    """
    update = db.session.get(ProgressUpdate, update_id, options=[selectinload(ProgressUpdate.evidence)])
    if update is None or not update.can_view(user):
        abort(404)
    return update


@dataclass
class WorklistFilters:
    session: str = ""
    status: str = ""
    theme: str = ""
    due_before: date | None = None
    overdue: bool = False
    page: int = 1

    def args(self) -> dict:
        """The filters as the query string that asks for them."""
        values = {
            "session": self.session, "status": self.status, "theme": self.theme, "overdue": "1" if self.overdue else "",
            "due_before": self.due_before.isoformat() if self.due_before else "",
        }
        return {k: v for k, v in values.items() if v}


WORKLIST_PAGE_SIZE = 50


def worklist(entity_id: int, filters: WorklistFilters, *, everything: bool = False) -> Page:
    """Return one page of an entity's assignments for active items, in catalogue order, filtered
    (or every one of them on a single page)."""
    query = (
        select(Assignment)
        .join(Assignment.recommendation)
        .join(Recommendation.session)
        .where(Assignment.entity_id == entity_id, Recommendation.retired_at.is_(None))
    )
    if filters.session:
        query = query.where(BriefingSession.code == filters.session)
    if filters.status in {s.value for s in ImplementationStatus}:
        query = query.where(Assignment.official_status == ImplementationStatus(filters.status))
    if filters.theme:
        query = query.where(Recommendation.themes.any(Theme.code == filters.theme))
    if filters.due_before:
        query = query.where(Assignment.due <= filters.due_before)
    if filters.overdue:
        query = query.where(Assignment.due < today(), Assignment.official_status.not_in(CLOSED_STATUSES))
    total = db.session.scalar(query.with_only_columns(func.count()))
    page = Page(total, max(total, 1) if everything else WORKLIST_PAGE_SIZE, filters.page)
    query = query.options(
        contains_eager(Assignment.recommendation).contains_eager(Recommendation.session),
        contains_eager(Assignment.recommendation).joinedload(Recommendation.briefing),
        joinedload(Assignment.open_update),
    )
    page.rows = list(db.session.scalars(query.order_by(BriefingSession.position, Recommendation.position).limit(page.size).offset(page.offset)))
    return page


@dataclass
class QueueFilters:
    entity: str = ""
    session: str = ""


def review_queue(filters: QueueFilters) -> list[ProgressUpdate]:
    """Return submitted updates, oldest first: the secretariat's work."""
    query = (
        select(ProgressUpdate)
        .join(ProgressUpdate.assignment)
        .join(Assignment.recommendation)
        .join(Recommendation.session)
        .join(ProgressUpdate.entity)
        .where(ProgressUpdate.state == UpdateState.submitted)
        .options(
            joinedload(ProgressUpdate.entity),
            joinedload(ProgressUpdate.assignment).joinedload(Assignment.recommendation).joinedload(Recommendation.session),
        )
        .order_by(ProgressUpdate.submitted_at, ProgressUpdate.id)
    )
    if filters.entity:
        query = query.where(Entity.code == filters.entity)
    if filters.session:
        query = query.where(BriefingSession.code == filters.session)
    return list(db.session.scalars(query))


def history(assignment: Assignment) -> list[AuditEvent]:
    """Return the events of an assignment and its updates, oldest first.

    Events about drafts carry a digest of the content, never its text.
    """
    query = select(AuditEvent).where(AuditEvent.assignment_id == assignment.id).order_by(AuditEvent.seq)
    return list(db.session.scalars(query))


def published_statuses(recommendation: Recommendation) -> list[Assignment]:
    """Return the assignments of an item whose last accepted public update may be shown to anyone."""
    query = (
        select(Assignment)
        .where(Assignment.recommendation_id == recommendation.id, Assignment.published_update_id.is_not(None))
        .options(joinedload(Assignment.entity), joinedload(Assignment.published_update))
        .order_by(Assignment.entity_id)
    )
    return [a for a in db.session.scalars(query) if a.published_update.confidentiality is Confidentiality.public]
