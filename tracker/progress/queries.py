"""Read assignments and updates, always within what the user may see.

Lists read the assignments' status projection, never the history of updates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from tracker.audit.models import AuditEvent
from tracker.catalogue.models import BriefingSession, Entity, Recommendation, Theme
from tracker.core.db import today
from tracker.extensions import db
from tracker.progress.models import (
    CLOSED_STATUSES,
    Assignment,
    Confidentiality,
    ImplementationStatus,
    ProgressUpdate,
    UpdateState,
)


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


def worklist(entity_id: int, filters: WorklistFilters) -> list[Assignment]:
    """Return an entity's assignments for active items, in catalogue order, filtered."""
    query = (
        select(Assignment)
        .join(Assignment.recommendation)
        .join(Recommendation.session)
        .where(Assignment.entity_id == entity_id, Recommendation.retired_at.is_(None))
        .options(
            joinedload(Assignment.recommendation).joinedload(Recommendation.session),
            joinedload(Assignment.open_update),
            joinedload(Assignment.accepted_update),
        )
        .order_by(BriefingSession.position, Recommendation.position)
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
    return list(db.session.scalars(query).unique())


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
