"""Workflow transitions. Each checks, changes the update and the assignment's projection,
flushes, and records its audit event; the caller commits once."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, insert, select
from sqlalchemy import update as sql_update

from tracker.audit.operations import digest, record
from tracker.catalogue.models import Entity, EntityKind, Recommendation
from tracker.core.db import start_of, utc_day, utcnow
from tracker.core.errors import Conflict, Refused
from tracker.extensions import db
from tracker.progress import evidence as evidence_files
from tracker.progress import queries
from tracker.progress.models import (
    TRANSITIONS,
    Assignment,
    Confidentiality,
    Evidence,
    EvidenceKind,
    ImplementationStatus,
    ProgressUpdate,
    ReportingRound,
    UpdateState,
    round_for,
)

NARRATIVE_LIMIT = 20_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
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
    _record(assignment, "assignment.due_changed", actor, {"before": before.isoformat(), "after": due.isoformat()})


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


def clean_text(value: str | None, *, field: str, limit: int = NARRATIVE_LIMIT) -> str:
    """Normalize line ends and refuse control characters and oversize text."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if _CONTROL.search(value):
        raise Refused(_("The text contains control characters; please remove them."), field=field)
    if len(value) > limit:
        raise Refused(_("The text is longer than %(num)d characters.", num=limit), field=field)
    return value


def parse_links(text: str | None) -> list[str]:
    """Split one link per line; each must be an http(s) address."""
    links = [line.strip() for line in (text or "").splitlines() if line.strip()]
    for link in links:
        if len(link) > 2000 or not _URL.match(link):
            raise Refused(_("“%(link)s” is not a web address starting with https:// or http://.", link=link[:80]), field="evidence_links")
    return list(dict.fromkeys(links))


def _record(assignment: Assignment, kind: str, actor, data: dict, update: ProgressUpdate | None = None):
    assignment.last_activity_at = utcnow()
    payload = {"assignment_id": assignment.id, "item": assignment.recommendation.code, **data}
    return record(kind, actor=actor, target=update or assignment, entity=assignment.entity, assignment=assignment, data=payload)


def _content(update: ProgressUpdate) -> dict:
    return {
        "claimed_status": update.claimed_status.value,
        "narrative": update.narrative,
        "confidentiality": update.confidentiality.value,
        "evidence": [e.describe() for e in update.current_evidence],
    }


def _private(update: ProgressUpdate) -> dict:
    """What the log may say of a draft: that it changed, and a digest of its content."""
    return {"update_id": update.id, "state": update.state.value, "content_sha256": digest(_content(update))}


def _check_version(update: ProgressUpdate, version: int | None) -> None:
    if version is not None and version != update.version:
        raise Conflict(_("Someone else saved this update after you opened it. Your text is kept below; compare it with the saved version and save again."))


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
    round_ = current_round() or next(iter(reversed(queries.rounds())), None)
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
    assignment.open_update, assignment.open_update_state = update, update.state
    _record(assignment, "update.created", author, _private(update), update)
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
    _check_version(update, version)
    update.claimed_status = claimed_status
    update.narrative = clean_text(narrative, field="narrative")
    update.confidentiality = confidentiality
    now = utcnow()
    for item in update.current_evidence:
        if item.id in remove_evidence:
            item.removed_at = now
    _add_evidence(update, author, links, upload)
    update.updated_at = now
    data = _private(update) if update.state is UpdateState.draft else {"update_id": update.id, "state": update.state.value, **_content(update)}
    _record(update.assignment, "update.edited", author, data, update)


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


def _transition(update: ProgressUpdate, action: str) -> UpdateState:
    target = TRANSITIONS.get((update.state, action))
    if target is None:
        raise Refused(
            _("An update that is “%(state)s” cannot be %(action)s.", state=update.state.title, action=_ACTION_WORDS[action]())
        )
    return target


_ACTION_WORDS = {
    "submit": lambda: _("submitted"),
    "withdraw": lambda: _("withdrawn"),
    "accept": lambda: _("accepted"),
    "return": lambda: _("returned"),
}


def completeness_problem(claimed_status: ImplementationStatus, narrative: str, has_evidence: bool) -> Refused | None:
    """Say what an update lacks before it may be submitted, or None.

    Every submitted update needs a narrative; an implemented claim also needs evidence, and a
    not applicable one a justification (which is its narrative).
    """
    if claimed_status is ImplementationStatus.implemented:
        if not narrative:
            return Refused(_("To report the item implemented, describe what was done in the narrative."), field="narrative")
        if not has_evidence:
            return Refused(_("To report the item implemented, add at least one piece of evidence (a link or a file)."), field="evidence_links")
    if claimed_status is ImplementationStatus.not_applicable and not narrative:
        return Refused(_("To report the item not applicable, explain why in the narrative."), field="narrative")
    if not narrative:
        return Refused(
            _("Write a narrative before submitting: what has been done so far, or why nothing has been done yet."), field="narrative"
        )
    return None


def check_complete(update: ProgressUpdate) -> None:
    """Refuse to submit an update that says nothing, or lacks what its claim needs."""
    problem = completeness_problem(update.claimed_status, update.narrative, bool(update.current_evidence))
    if problem is not None:
        raise problem


def submit_update(update: ProgressUpdate, author, *, version: int | None = None) -> None:
    if not update.can_submit(author):
        _transition(update, "submit")  # names the state when that is the reason
        raise Refused(_("Only focal points of this entity can submit its updates."))
    _check_version(update, version)
    target = _transition(update, "submit")
    check_complete(update)
    now = utcnow()
    update.state, update.submitted_at, update.updated_at = target, now, now
    update.round = round_for(now, queries.rounds()) or update.round  # the cut-off rule; see README "Rounds"
    update.assignment.open_update_state = update.state
    _record(update.assignment, "update.submitted", author, {"update_id": update.id, **_content(update)}, update)


def withdraw_update(update: ProgressUpdate, author, *, version: int | None = None) -> None:
    if not update.can_withdraw(author):
        _transition(update, "withdraw")
        raise Refused(_("Only focal points of this entity can withdraw its updates."))
    _check_version(update, version)
    update.state = _transition(update, "withdraw")
    update.updated_at = utcnow()
    update.assignment.open_update_state = update.state
    _record(update.assignment, "update.withdrawn", author, {"update_id": update.id}, update)


def accept_update(update: ProgressUpdate, reviewer, *, assessed_status: ImplementationStatus, reason: str = "", version: int | None = None) -> None:
    """Accept with an assessed status; only this changes the assignment's official status."""
    _check_reviewer(update, reviewer, "accept")
    _check_version(update, version)
    reason = clean_text(reason, field="comment", limit=5000)
    if assessed_status is not update.claimed_status and not reason:
        raise Refused(_("The assessed status differs from the claim: give the reason."), field="comment")
    update.state = _transition(update, "accept")
    now = utcnow()
    update.assessed_status, update.assessment_reason = assessed_status, reason or None
    update.reviewed_by_id, update.reviewed_at = reviewer.id, now
    assignment = update.assignment
    before = assignment.official_status
    assignment.official_status, assignment.official_since = assessed_status, now
    counted = round_for(update.submitted_at, queries.rounds())
    assignment.accepted_update, assignment.accepted_round_id = update, counted.id if counted else None
    assignment.open_update, assignment.open_update_state = None, None
    if update.confidentiality is Confidentiality.public:
        assignment.published_update = update
    _record(
        assignment,
        "update.accepted",
        reviewer,
        {
            "update_id": update.id,
            "claimed_status": update.claimed_status.value,
            "assessed_status": assessed_status.value,
            "reason": reason or None,
            "official_status": {"before": before.value, "after": assessed_status.value},
        },
        update,
    )


def return_update(update: ProgressUpdate, reviewer, *, comment: str, version: int | None = None) -> None:
    _check_reviewer(update, reviewer, "return")
    _check_version(update, version)
    comment = clean_text(comment, field="comment", limit=5000)
    if not comment:
        raise Refused(_("Say what the entity should change: a comment is required to return an update."), field="comment")
    update.state = _transition(update, "return")
    update.return_comment = comment
    update.updated_at = utcnow()
    update.assignment.open_update_state = update.state
    _record(update.assignment, "update.returned", reviewer, {"update_id": update.id, "comment": comment}, update)


def _check_reviewer(update: ProgressUpdate, reviewer, action: str) -> None:
    if not (reviewer.is_authenticated and reviewer.role.value == "secretariat"):
        raise Refused(_("Only the Committee secretariat reviews updates."))
    _transition(update, action)
