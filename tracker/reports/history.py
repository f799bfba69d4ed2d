"""The state as it was on a past day, computed from the audit events (the point-in-time view).

An assignment's official status on day D is the assessed status of its last "update.accepted"
event before the end of D; its open update's state follows the last "update.*" event; its due
date is the "before" of the first due change after D, if any. These read the history (indexed
by kind and occurred_at), which the issue allows for point-in-time views only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from tracker.audit.models import AuditEvent
from tracker.catalogue import queries as catalogue_queries
from tracker.catalogue.models import Recommendation, ReportingRound, round_for
from tracker.core.paging import Page
from tracker.extensions import db
from tracker.progress.models import Assignment, ImplementationStatus, ProgressUpdate, UpdateState
from tracker.progress.workflow import overdue
from tracker.reports import dashboard, lists
from tracker.reports.tally import STATUS_VALUES, Tally

STATE_KINDS = ("update.created", "update.edited", "update.submitted", "update.withdrawn", "update.returned", "update.accepted")
ACTIVITY_KINDS = STATE_KINDS + ("assignment.due_changed",)
_STATE_AFTER = {
    "update.created": UpdateState.draft.value,
    "update.submitted": UpdateState.submitted.value,
    "update.withdrawn": UpdateState.draft.value,
    "update.returned": UpdateState.returned.value,
    "update.accepted": None,
}


@dataclass
class Fact:
    """One assignment as it stood at the end of a day."""

    assignment_id: int
    recommendation_id: int
    entity_id: int
    due: date
    status: str = ImplementationStatus.not_started.value
    accepted_update_id: int | None = None
    accepted_at: datetime | None = None
    accepted_round_id: int | None = None
    open_state: str | None = None
    last_activity: datetime | None = None

    def overdue(self, day: date) -> bool:
        return overdue(self.due, self.status, day)


def end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=timezone.utc)


def facts_as_of(day: date, assignment_ids: list[int] | None = None) -> dict[int, Fact]:
    """Return every active assignment (or those named) as it stood at the end of ``day``."""
    cutoff = end_of(day)
    # The column is filled since the events name their assignment; older events carry it in data only.
    aid = func.coalesce(AuditEvent.assignment_id, AuditEvent.data["assignment_id"].as_integer())
    only = [aid.in_(assignment_ids)] if assignment_ids is not None else []
    base = select(Assignment.id, Assignment.recommendation_id, Assignment.entity_id, Assignment.due).join(
        Recommendation, Recommendation.id == Assignment.recommendation_id
    ).where(Recommendation.retired_at.is_(None))
    if assignment_ids is not None:
        base = base.where(Assignment.id.in_(assignment_ids))
    facts = {row[0]: Fact(*row) for row in db.session.execute(base)}

    last_accepted = (
        select(aid.label("aid"), func.max(AuditEvent.seq).label("seq"))
        .where(AuditEvent.kind == "update.accepted", AuditEvent.occurred_at < cutoff, *only)
        .group_by(aid)
        .subquery()
    )
    update_id = AuditEvent.data["update_id"].as_integer()
    accepted = (
        select(last_accepted.c.aid, AuditEvent.data["assessed_status"].as_string(), update_id, AuditEvent.occurred_at, ProgressUpdate.submitted_at)
        .join(AuditEvent, AuditEvent.seq == last_accepted.c.seq)
        .outerjoin(ProgressUpdate, ProgressUpdate.id == update_id)
    )
    rounds = catalogue_queries.rounds()
    for assignment_id, status, accepted_id, occurred_at, submitted_at in db.session.execute(accepted):
        fact = facts.get(assignment_id)
        if fact is not None:
            counted = round_for(submitted_at, rounds)  # the cut-off rule, as the live projection applies it
            fact.status, fact.accepted_update_id, fact.accepted_at = status, accepted_id, occurred_at
            fact.accepted_round_id = counted.id if counted else None

    last = (
        select(
            aid.label("aid"),
            func.max(case((AuditEvent.kind.in_(STATE_KINDS), AuditEvent.seq))).label("seq"),
            func.max(AuditEvent.occurred_at).label("last"),
        )
        .where(AuditEvent.kind.in_(ACTIVITY_KINDS), AuditEvent.occurred_at < cutoff, *only)
        .group_by(aid)
        .subquery()
    )
    states = select(last.c.aid, last.c.last, AuditEvent.kind, AuditEvent.data["state"].as_string()).select_from(last).outerjoin(
        AuditEvent, AuditEvent.seq == last.c.seq
    )
    for assignment_id, last_at, kind, state in db.session.execute(states):
        fact = facts.get(assignment_id)
        if fact is not None:
            fact.last_activity = last_at
            fact.open_state = state if kind == "update.edited" else _STATE_AFTER.get(kind)

    later_change = (
        select(aid.label("aid"), func.min(AuditEvent.seq).label("seq"))
        .where(AuditEvent.kind == "assignment.due_changed", AuditEvent.occurred_at >= cutoff, *only)
        .group_by(aid)
        .subquery()
    )
    dues = select(later_change.c.aid, AuditEvent.data["before"].as_string()).join(AuditEvent, AuditEvent.seq == later_change.c.seq)
    for assignment_id, before in db.session.execute(dues):
        if assignment_id in facts and before:
            facts[assignment_id].due = date.fromisoformat(before)
    return facts


def dashboard_as_of(day: date) -> dashboard.Dashboard:
    """Return the dashboard as it would have read at the end of ``day``."""
    round_ = dashboard.round_on(day)
    round_id = round_.id if round_ else None
    width = len(STATUS_VALUES) + 3  # the counts of Tally.of: one per status, then accepted, overdue, returned
    column = {status: i for i, status in enumerate(STATUS_VALUES)}
    items: dict = defaultdict(lambda: [0] * width)
    entities: dict = defaultdict(lambda: [0] * width)
    last_activity: dict = {}
    timeline: dict = defaultdict(int)
    for fact in facts_as_of(day).values():
        accepted = int(round_id is not None and fact.accepted_round_id == round_id)
        flags = (accepted, int(fact.overdue(day)), int(fact.open_state == UpdateState.returned.value))
        for counts in (items[fact.recommendation_id], entities[fact.entity_id]):
            counts[column[fact.status]] += 1
            for i, value in enumerate(flags, start=width - 3):
                counts[i] += value
        last = last_activity.get(fact.entity_id)
        if fact.last_activity is not None and (last is None or fact.last_activity > last):
            last_activity[fact.entity_id] = fact.last_activity
        if accepted:
            timeline[fact.accepted_at.date().isoformat()] += 1
    return dashboard.fold(
        day,
        day,
        round_,
        [(item_id, *counts) for item_id, counts in items.items()],
        [(entity_id, *counts, last_activity.get(entity_id)) for entity_id, counts in entities.items()],
        list(timeline.items()),
    )


def list_as_of(filters: lists.ListFilters) -> Page:
    """Return one page of the assignments behind an as-of figure."""
    day = filters.as_of
    round_ = dashboard.round_on(day)
    ids = lists.assignment_ids(filters)
    # Beyond a few thousand ids an IN list costs more than reading every assignment's facts.
    facts = (facts_as_of(day, ids) if len(ids) <= 2000 else facts_as_of(day)) if ids else {}
    chosen = []
    for assignment_id in ids:
        fact = facts.get(assignment_id)
        if fact is None or (filters.status and fact.status != filters.status):
            continue
        accepted = round_ is not None and fact.accepted_round_id == round_.id
        flag = {
            "accepted": accepted,
            "not_accepted": not accepted,
            "overdue": fact.overdue(day),
            "returned": fact.open_state == UpdateState.returned.value,
        }
        if filters.flag and not flag[filters.flag]:
            continue
        chosen.append((fact, accepted))
    page = Page(len(chosen), lists.PAGE_SIZE, filters.page).take(chosen)
    loaded = lists.assignments_by_id([f.assignment_id for f, _ in page.rows])
    page.rows = [
        lists.AssignmentRow(
            loaded[f.assignment_id], ImplementationStatus(f.status), UpdateState(f.open_state) if f.open_state else None,
            f.overdue(day), accepted, f.last_activity, f.accepted_update_id,
        )
        for f, accepted in page.rows
    ]
    return page


def item_addressees_as_of(recommendation_id: int, day: date, status: str, number: int) -> tuple[ReportingRound | None, Tally, Page]:
    """``lists.item_addressees`` as it stood at the end of ``day``, from the history."""
    round_ = dashboard.round_on(day)
    assignments = db.session.scalars(
        select(Assignment).where(Assignment.recommendation_id == recommendation_id).options(joinedload(Assignment.entity))
    ).all()
    facts = facts_as_of(day, [a.id for a in assignments])
    rows = [
        lists.AssignmentRow(
            a, ImplementationStatus(fact.status), UpdateState(fact.open_state) if fact.open_state else None,
            fact.overdue(day), round_ is not None and fact.accepted_round_id == round_.id, fact.last_activity, fact.accepted_update_id,
        )
        for a in assignments if (fact := facts.get(a.id))
    ]
    tally = Tally()
    for row in rows:
        tally.add(row.status.value, 1, int(row.accepted), int(row.overdue), int(row.open_state is UpdateState.returned))
    rows = sorted((r for r in rows if not status or r.status.value == status), key=lambda r: r.assignment.entity.name)
    return round_, tally, Page(len(rows), lists.PAGE_SIZE, number).take(rows)
