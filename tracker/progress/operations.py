"""Assignments, rounds and updates: each operation checks, changes, flushes and records its
audit event; the request or command commits once.

The moves of an update (submit, withdraw, accept, return) are made by
``tracker.progress.workflow.apply``; the functions named after them here are its entry points.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, insert, select
from sqlalchemy import update as sql_update

from tracker.audit.operations import digest, record
from tracker.catalogue import queries as catalogue_queries
from tracker.catalogue import signals as catalogue_signals
from tracker.catalogue.models import Entity, EntityKind, Recommendation, ReportingRound
from tracker.core.db import start_of, utc_day, utcnow
from tracker.core.errors import Refused
from tracker.core.text import TEXT_LIMIT, clean_text
from tracker.extensions import db
from tracker.progress import evidence as evidence_files
from tracker.progress import queries, workflow
from tracker.progress.models import (
    Assignment,
    Confidentiality,
    Evidence,
    EvidenceKind,
    ImplementationStatus,
    ProgressUpdate,
    UpdateState,
)

NARRATIVE_LIMIT = TEXT_LIMIT
# No spaces, control or line-breaking characters, quotes or angle brackets; the API states the same.
URL_PATTERN = r"^[hH][tT][tT][pP][sS]?://[^\x00-\x20\x7f-\x9f\u2028\u2029<>\"]+$"
_URL = re.compile(URL_PATTERN)


# Assignments and rounds


@catalogue_signals.seeded.connect
def _assign_seeded_items(_briefing, **_) -> Counter:
    added = ensure_assignments()
    return Counter({"assignments added": added} if added else {})


def ensure_assignments() -> int:
    """Give every active item one assignment per addressee; never remove one. Return how many were added."""
    existing = {tuple(row) for row in db.session.execute(select(Assignment.recommendation_id, Assignment.entity_id))}
    states = db.session.scalars(select(Entity.id).where(Entity.kind == EntityKind.member_state)).all()
    rows = []
    for item in db.session.scalars(Recommendation.select_active()):
        entity_ids = [e.id for e in item.entities] + (states if item.addressed_to_member_states else [])
        rows += [
            {"recommendation_id": item.id, "entity_id": entity_id, "due": item.due, "official_status": ImplementationStatus.not_started, "version": 1}
            for entity_id in dict.fromkeys(entity_ids)
            if (item.id, entity_id) not in existing
        ]
    if rows:
        db.session.execute(insert(Assignment), rows)
        record("assignments.generated", data={"added": len(rows)})
    return len(rows)


def set_assignment_due(assignment: Assignment, due: date, *, actor) -> None:
    if due == assignment.due:
        return
    before = assignment.due
    assignment.due = due
    workflow.project(assignment, None, utcnow())
    workflow.log(assignment, "assignment.due_changed", actor, {"before": before.isoformat(), "after": due.isoformat()})


def current_round() -> ReportingRound | None:
    """Return the round open for updates: the first whose cut-off (end of its due day, UTC) has
    not passed; None once every cut-off has passed."""
    return queries.open_round()


def save_round(round_: ReportingRound | None, *, code: str, title: str, due: date, meeting_date: date, actor) -> ReportingRound:
    """Add a round (``round_`` None) or change one; the cut-off falls on or before the meeting."""
    if due > meeting_date:
        raise Refused(_("The cut-off must fall on or before the meeting date."), field="due")
    clash = db.session.scalar(select(ReportingRound).where(ReportingRound.code == code))
    if clash is not None and clash is not round_:
        raise Refused(_("Another round already uses this code."), field="code")
    created = round_ is None
    if created:
        round_ = ReportingRound()
        db.session.add(round_)
    before = {} if created else _round_data(round_)
    round_.code, round_.title, round_.due, round_.meeting_date = code, title.strip(), due, meeting_date
    after = _round_data(round_)
    if before != after:
        record("round.created" if created else "round.updated", actor=actor, target=round_, data={"before": before, "after": after})
        if before.get("due") != after["due"]:
            refresh_accepted_rounds(min(due, date.fromisoformat(before["due"])) if before else due)
    return round_


def refresh_accepted_rounds(since: date | None = None) -> None:
    """Apply the cut-off rule again once rounds change: each submitted update, and each assignment's
    accepted update, belongs to the first round whose due day it was submitted by (an update past
    every cut-off keeps its round until a later one is added; the assignment then counts in none).

    Only submissions after the cut-off before ``since`` (the earliest due date that changed) can
    move, so only those are looked at.
    """
    db.session.flush()
    earlier = db.session.scalar(select(func.max(ReportingRound.due)).where(ReportingRound.due < since)) if since else None
    bound = start_of(earlier + timedelta(days=1)) if earlier else None

    def first_round_for(submitted_at):
        return (
            select(ReportingRound.id)
            .where(ReportingRound.due >= utc_day(submitted_at))
            .order_by(ReportingRound.due, ReportingRound.id)
            .limit(1)
            .scalar_subquery()
        )

    moved = ProgressUpdate.state != UpdateState.draft
    if bound is not None:
        moved = moved & (ProgressUpdate.submitted_at >= bound)
    counted = first_round_for(ProgressUpdate.submitted_at)
    db.session.execute(
        sql_update(ProgressUpdate).where(moved, counted.is_not(None)).values(round_id=counted),
        execution_options={"synchronize_session": False},
    )
    accepted = (
        select(ProgressUpdate.submitted_at).where(ProgressUpdate.id == Assignment.accepted_update_id).correlate(Assignment).scalar_subquery()
    )
    assignments = Assignment.accepted_update_id.is_not(None)
    if bound is not None:
        assignments = assignments & (accepted >= bound)
    db.session.execute(
        sql_update(Assignment).where(assignments).values(accepted_round_id=first_round_for(accepted)),
        execution_options={"synchronize_session": False},
    )
    db.session.expire_all()


def _round_data(round_: ReportingRound) -> dict:
    return {"code": round_.code, "title": round_.title, "due": round_.due.isoformat(), "meeting_date": round_.meeting_date.isoformat()}


# Updates


def parse_links(text: str | None) -> list[str]:
    """Split one link per line; each must be an http(s) address."""
    links = [line.strip() for line in (text or "").splitlines() if line.strip()]
    for link in links:
        if len(link) > 2000 or not _URL.match(link):
            raise Refused(_("“%(link)s” is not a web address starting with https:// or http://.", link=link[:80]), field="evidence_links")
    return list(dict.fromkeys(links))


def _private(update: ProgressUpdate) -> dict:
    """What the log may say of a draft: that it changed, and a digest of its content."""
    return {"update_id": update.id, "state": update.state.value, "content_sha256": digest(workflow.content(update))}


def create_update(
    assignment: Assignment,
    author,
    *,
    claimed_status: ImplementationStatus,
    narrative: str,
    confidentiality: Confidentiality,
    links: list[str] = (),
    upload=None,
) -> ProgressUpdate:
    """Start a draft; an assignment has at most one open update."""
    if not assignment.can_report(author):
        raise Refused(_("This assignment already has an open update, or is not yours to report on."))
    # After the last cut-off the draft waits in the latest round; its submission decides where it counts.
    round_ = current_round() or next(iter(reversed(catalogue_queries.rounds())), None)
    if round_ is None:
        raise Refused(_("No reporting round has been set up yet."))
    update = ProgressUpdate(
        assignment=assignment,
        round=round_,
        entity_id=assignment.entity_id,
        author_id=author.id,
        state=UpdateState.draft,
        claimed_status=claimed_status,
        narrative=clean_text(narrative, field="narrative"),
        confidentiality=confidentiality,
    )
    db.session.add(update)
    db.session.flush()
    _add_evidence(update, author, links, upload)
    workflow.project(assignment, update, utcnow())
    workflow.log(assignment, "update.created", author, _private(update), update)
    return update


def edit_update(
    update: ProgressUpdate,
    author,
    *,
    version: int | None,
    claimed_status: ImplementationStatus,
    narrative: str,
    confidentiality: Confidentiality,
    links: list[str] = (),
    upload=None,
    remove_evidence: list[int] = (),
) -> None:
    """Change a draft or a returned update; a stale version is refused."""
    if not update.can_edit(author):
        raise Refused(_("Only drafts and returned updates of your own entity can be edited."))
    workflow.check_version(update, version)
    update.claimed_status = claimed_status
    update.narrative = clean_text(narrative, field="narrative")
    update.confidentiality = confidentiality
    now = utcnow()
    for item in update.current_evidence:
        if item.id in remove_evidence:
            item.removed_at = now
    _add_evidence(update, author, links, upload)
    update.updated_at = now
    data = _private(update) if update.state is UpdateState.draft else {"update_id": update.id, "state": update.state.value, **workflow.content(update)}
    workflow.project(update.assignment, update, now)
    workflow.log(update.assignment, "update.edited", author, data, update)


def _add_evidence(update: ProgressUpdate, author, links, upload) -> None:
    known = {e.url for e in update.current_evidence if e.kind is EvidenceKind.link}
    for link in links:
        if link not in known:
            db.session.add(Evidence(update=update, kind=EvidenceKind.link, url=link, added_by_id=author.id))
    if upload is not None and getattr(upload, "filename", ""):
        stored = evidence_files.store(upload)
        db.session.add(
            Evidence(
                update=update,
                kind=EvidenceKind.file,
                filename=stored.filename,
                stored_name=stored.stored_name,
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
                added_by_id=author.id,
            )
        )
    db.session.flush()


# The moves, through the workflow


def submit_update(update: ProgressUpdate, author, *, version: int | None = None) -> None:
    workflow.apply(update, "submit", author, version=version)


def withdraw_update(update: ProgressUpdate, author, *, version: int | None = None) -> None:
    workflow.apply(update, "withdraw", author, version=version)


def accept_update(update: ProgressUpdate, reviewer, *, assessed_status: ImplementationStatus, reason: str = "", version: int | None = None) -> None:
    """Accept with an assessed status; only this changes the assignment's official status."""
    workflow.apply(update, "accept", reviewer, version=version, assessed_status=assessed_status, text=reason)


def return_update(update: ProgressUpdate, reviewer, *, comment: str, version: int | None = None) -> None:
    workflow.apply(update, "return", reviewer, version=version, text=comment)


# The spreadsheet round trip


def apply_import(preview, user) -> dict:
    """Create or update the drafts a checked spreadsheet preview (``spreadsheet.read``) lists.

    Rows that match what is saved write nothing; a file with nothing to write records nothing.
    """
    counts = {"created": 0, "updated": 0, "unchanged": len(preview.unchanged)}
    if not preview.accepted:
        return counts
    for row in preview.accepted:
        assignment = db.session.get(Assignment, row.assignment_id)
        update = assignment.open_update
        if update is None:
            create_update(assignment, user, **row.values)
            counts["created"] += 1
        else:
            edit_update(update, user, version=update.version, **row.values)
            counts["updated"] += 1
    record("spreadsheet.imported", actor=user, entity=user.entity, data={**counts, "rejected": len(preview.rejected)})
    return counts
