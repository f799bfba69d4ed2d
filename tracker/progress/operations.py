"""Assignments, rounds and updates: each operation checks, changes, flushes and records its
audit event; the request or command commits once.

The moves of an update (submit, withdraw, accept, return) are made by
``tracker.progress.workflow.apply``; the functions named after them here are its entry points.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import insert, select

from tracker.audit.operations import digest, record
from tracker.catalogue.models import Entity, EntityKind, Recommendation
from tracker.core.db import utcnow
from tracker.core.errors import Refused
from tracker.core.text import TEXT_LIMIT, clean_text
from tracker.extensions import db
from tracker.progress import evidence as evidence_files
from tracker.progress import workflow
from tracker.progress.models import (
    Assignment,
    Confidentiality,
    Evidence,
    EvidenceKind,
    ImplementationStatus,
    ProgressUpdate,
    ReportingRound,
    UpdateState,
)

NARRATIVE_LIMIT = TEXT_LIMIT
# No spaces, control or line-breaking characters, quotes or angle brackets; the API states the same.
URL_PATTERN = r"^[hH][tT][tT][pP][sS]?://[^\x00-\x20\x7f-\x9f\u2028\u2029<>\"]+$"
_URL = re.compile(URL_PATTERN)


# Assignments and rounds


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


def current_round(day: date | None = None) -> ReportingRound | None:
    """Return the round open for updates on ``day`` (default today): the next cut-off to come, else the latest one."""
    from tracker.core.db import today

    day = day or today()
    rounds = db.session.scalars(select(ReportingRound).order_by(ReportingRound.due, ReportingRound.id)).all()
    upcoming = [r for r in rounds if r.due >= day]
    return upcoming[0] if upcoming else (rounds[-1] if rounds else None)


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
    return round_


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
    round_ = current_round()
    if round_ is None:
        raise Refused(_("No reporting round is open."))
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
