"""Read assignments and updates, always within what the user may see.

Lists read the assignments' status projection, never the history of updates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from difflib import SequenceMatcher

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from tracker.audit.models import AuditEvent
from tracker.catalogue import queries as catalogue_queries
from tracker.catalogue.models import BriefingSession, Entity, Recommendation, ReportingRound, Theme, round_for
from tracker.core.db import today, utcnow
from tracker.core.paging import Page
from tracker.extensions import db
from tracker.progress.models import (
    Assignment,
    Confidentiality,
    Evidence,
    ImplementationStatus,
    ProgressUpdate,
    UpdateState,
)


def open_round(now: datetime | None = None) -> ReportingRound | None:
    """Return the round open for updates: the first whose cut-off has not passed (None after the last one)."""
    return round_for(now or utcnow(), catalogue_queries.rounds())


def last_closed_round(now: datetime | None = None) -> ReportingRound | None:
    """Return the round whose cut-off passed most recently, if any."""
    moment = now or utcnow()
    return next((r for r in reversed(catalogue_queries.rounds()) if r.is_closed(moment)), None)


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
        query = query.where(Assignment.overdue_on(today()))
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


@dataclass
class Waiting:
    update: ProgressUpdate
    days: int  # whole days since it was submitted, counted to ``today()``


def review_queue(filters: QueueFilters) -> list[Waiting]:
    """Return submitted updates, oldest first, with how long each has waited: the secretariat's work."""
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
    now = today()
    return [Waiting(update, max((now - update.submitted_at.date()).days, 0)) for update in db.session.scalars(query)]


@dataclass
class SinceReturn:
    """How a resubmitted update differs from the version the secretariat returned."""

    returned_at: datetime
    comment: str
    status: tuple[ImplementationStatus, ImplementationStatus] | None  # (returned, now) when the claim changed
    confidentiality: tuple[Confidentiality, Confidentiality] | None
    narrative: list[tuple[str, str]]  # ("same" | "added" | "removed", text); empty when unchanged
    evidence_added: list[Evidence] = field(default_factory=list)
    evidence_removed: list[str] = field(default_factory=list)  # labels, as the log recorded them

    @property
    def changed(self) -> bool:
        return bool(self.status or self.confidentiality or self.narrative or self.evidence_added or self.evidence_removed)


def since_return(update: ProgressUpdate) -> SinceReturn | None:
    """Compare the update with the version last returned to its entity, or None if it never was.

    The returned version is what the log recorded at the submission before the return, so the
    comparison needs nothing but the update's own events.
    """
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.target_type == ProgressUpdate.__tablename__, AuditEvent.target_id == update.id,
               AuditEvent.kind.in_(("update.submitted", "update.returned")))
        .order_by(AuditEvent.seq)
    ).all()
    returned = next((i for i in range(len(events) - 1, -1, -1) if events[i].kind == "update.returned"), None)
    submitted = next((e for e in reversed(events[:returned or 0]) if e.kind == "update.submitted"), None)
    if returned is None or submitted is None:
        return None
    before = submitted.data
    old_status, old_confidentiality = ImplementationStatus(before["claimed_status"]), Confidentiality(before["confidentiality"])
    old_ids = {e["id"] for e in before.get("evidence", [])}
    now_ids = {e.id for e in update.current_evidence}
    old_narrative = before.get("narrative") or ""
    return SinceReturn(
        returned_at=events[returned].occurred_at,
        comment=events[returned].data.get("comment", ""),
        status=(old_status, update.claimed_status) if old_status is not update.claimed_status else None,
        confidentiality=(old_confidentiality, update.confidentiality) if old_confidentiality is not update.confidentiality else None,
        narrative=text_diff(old_narrative, update.narrative) if old_narrative != update.narrative else [],
        evidence_added=[e for e in update.current_evidence if e.id not in old_ids],
        evidence_removed=[e.get("url") or e.get("filename") or "" for e in before.get("evidence", []) if e["id"] not in now_ids],
    )


_WORDS = re.compile(r"\w+|[^\w\s]+|\s+")
_WORD_DIFF_LIMIT = 5000  # tokens per side; beyond it a changed block is shown removed and added whole


def text_diff(before: str, after: str) -> list[tuple[str, str]]:
    """Diff two texts by line, then by word within changed lines, as ("same" | "added" | "removed", text) runs.

    The runs are plain text, for the template to escape like any other.
    """
    runs: list[tuple[str, str]] = []
    old_lines, new_lines = before.splitlines(keepends=True), after.splitlines(keepends=True)
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        old, new = "".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])
        if op == "equal":
            runs.append(("same", old))
        elif op == "delete":
            runs.append(("removed", old))
        elif op == "insert":
            runs.append(("added", new))
        else:
            runs += _word_diff(old, new)
    merged: list[tuple[str, str]] = []
    for kind, text in runs:
        if not text:
            continue
        if merged and merged[-1][0] == kind:
            merged[-1] = (kind, merged[-1][1] + text)
        else:
            merged.append((kind, text))
    return merged


def _word_diff(before: str, after: str) -> list[tuple[str, str]]:
    old, new = _WORDS.findall(before), _WORDS.findall(after)
    if len(old) > _WORD_DIFF_LIMIT or len(new) > _WORD_DIFF_LIMIT:
        return [("removed", before), ("added", after)]
    runs = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append(("same", "".join(old[i1:i2])))
        else:
            runs += [("removed", "".join(old[i1:i2])), ("added", "".join(new[j1:j2]))]
    return runs


def history(assignment: Assignment) -> list[AuditEvent]:
    """Return the events of an assignment and its updates, oldest first.

    Events about drafts carry a digest of the content, never its text.
    """
    query = select(AuditEvent).where(AuditEvent.assignment_id == assignment.id).order_by(AuditEvent.seq)
    return list(db.session.scalars(query))


def published_statuses(recommendation: Recommendation | None = None) -> list[Assignment]:
    """Return the assignments whose last accepted update is public, so may be shown to anyone: of one
    item, or of every item (the open data) by item; each with its entity, item, update and evidence."""
    query = (
        select(Assignment)
        .where(Assignment.published_update_id.is_not(None))
        .options(
            joinedload(Assignment.entity),
            joinedload(Assignment.recommendation),
            joinedload(Assignment.published_update).selectinload(ProgressUpdate.evidence),
        )
        .order_by(Assignment.recommendation_id, Assignment.entity_id)
    )
    if recommendation is not None:
        query = query.where(Assignment.recommendation_id == recommendation.id)
    return [a for a in db.session.scalars(query) if a.published_update.confidentiality is Confidentiality.public]
