"""The reporting workflow, top to bottom.

1. What an assignment and an update can be: the implementation statuses, "overdue", the states.
2. The moves: (state, action) -> state. Anything else is refused.
3. Who may make each move: the models' ``can_*`` methods.
4. What a move needs: a complete update to submit, a reason or a comment from the reviewer.
5. What a move writes: the update's fields, the assignment's projection, the audit event.
6. ``apply``: one move, checked once, in that order.

Every caller goes through ``apply``: the pages and the API (through the thin entry points in
``tracker.progress.operations``), the spreadsheet import and the demo generator. Only an accepted
update changes the assignment's official status. This module imports no model (the models import
the states and the table from here); it only flushes, the request or command commits.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_

from tracker.audit.operations import record
from tracker.catalogue import queries as catalogue_queries
from tracker.catalogue.models import round_for
from tracker.core.db import TitledEnum, utcnow
from tracker.core.errors import Conflict, Refused
from tracker.core.text import clean_text

if TYPE_CHECKING:
    from tracker.progress.models import Assignment, ProgressUpdate

REVIEW_TEXT_LIMIT = 5000


# 1. What an assignment and an update can be


class ImplementationStatus(TitledEnum):
    """An assignment's status: claimed by its entity, assessed by the secretariat."""

    not_started = "not_started"
    in_progress = "in_progress"
    partially_implemented = "partially_implemented"
    implemented = "implemented"
    not_applicable = "not_applicable"


ImplementationStatus.__titles__ = {
    ImplementationStatus.not_started: _l("No action reported"),
    ImplementationStatus.in_progress: _l("Action under way"),
    ImplementationStatus.partially_implemented: _l("Partially implemented"),
    ImplementationStatus.implemented: _l("Implemented"),
    ImplementationStatus.not_applicable: _l("Not applicable"),
}
CLOSED_STATUSES = (ImplementationStatus.implemented, ImplementationStatus.not_applicable)


def overdue(due, status, day: date):
    """Whether an assignment is past its due date and not closed: the one rule for "overdue".

    Given values (a date and a status or its value) it answers True or False; given columns it
    is the SQL condition (``Assignment.overdue_on`` uses both forms).
    """
    if isinstance(due, date):
        return due < day and status not in CLOSED_STATUSES
    return and_(due < day, status.not_in(CLOSED_STATUSES))


class UpdateState(TitledEnum):
    draft = "draft"
    submitted = "submitted"
    accepted = "accepted"
    returned = "returned"


UpdateState.__titles__ = {
    UpdateState.draft: _l("Draft"),
    UpdateState.submitted: _l("Submitted for review"),
    UpdateState.accepted: _l("Accepted"),
    UpdateState.returned: _l("Returned for changes"),
}
EDITABLE_STATES = (UpdateState.draft, UpdateState.returned)
OPEN_STATES = (UpdateState.draft, UpdateState.submitted, UpdateState.returned)  # at most one per assignment


# 2. The moves: (from, action) -> to. Anything else is refused, and nothing changes.

TRANSITIONS: dict[tuple[UpdateState, str], UpdateState] = {
    (UpdateState.draft, "submit"): UpdateState.submitted,
    (UpdateState.returned, "submit"): UpdateState.submitted,
    (UpdateState.submitted, "withdraw"): UpdateState.draft,
    (UpdateState.submitted, "accept"): UpdateState.accepted,
    (UpdateState.submitted, "return"): UpdateState.returned,
}

_ACTION_WORDS = {
    "submit": lambda: _("submitted"),
    "withdraw": lambda: _("withdrawn"),
    "accept": lambda: _("accepted"),
    "return": lambda: _("returned"),
}


# 3. Who may make each move, whatever the state: the update's ``can_*`` method of that name.

WHO_MAY = {"submit": "can_author", "withdraw": "can_author", "accept": "can_assess", "return": "can_assess"}

_NOT_YOURS = {
    "submit": lambda: _("Only focal points of this entity can submit its updates."),
    "withdraw": lambda: _("Only focal points of this entity can withdraw its updates."),
    "accept": lambda: _("Only the Committee secretariat reviews updates."),
    "return": lambda: _("Only the Committee secretariat reviews updates."),
}


# 4. What a move needs


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


def check_version(update: ProgressUpdate, version: int | None) -> None:
    """Refuse a change made to a version of the update that is no longer the saved one."""
    if version is not None and version != update.version:
        raise Conflict(_("Someone else saved this update after you opened it. Your text is kept below; compare it with the saved version and save again."))


# 5. What a move writes


def content(update: ProgressUpdate) -> dict:
    """What the audit log records of an update's content once it is submitted."""
    return {
        "claimed_status": update.claimed_status.value,
        "narrative": update.narrative,
        "confidentiality": update.confidentiality.value,
        "evidence": [e.describe() for e in update.current_evidence],
    }


def _round_for(moment: datetime | None):
    return round_for(moment, catalogue_queries.rounds())


def project(assignment: Assignment, update: ProgressUpdate | None, now: datetime) -> None:
    """Bring the assignment's copy of its updates up to date after ``update`` changed.

    The assignment carries its open update and that update's state, its accepted update with
    the round it counts in (by the cut-off rule: the first round whose cut-off had not passed
    when the update was submitted; none if every one had), its published update, its official
    status and its last activity, so that lists and dashboards read this table alone.
    ``update`` None: the assignment itself changed.
    """
    assignment.last_activity_at = now
    if update is None:
        return
    if update.state is UpdateState.accepted:
        counted = _round_for(update.submitted_at)
        assignment.official_status, assignment.official_since = update.assessed_status, now
        assignment.accepted_update, assignment.accepted_round_id = update, counted.id if counted else None
        assignment.open_update, assignment.open_update_state = None, None
        if update.is_public:
            assignment.published_update = update
    else:
        assignment.open_update, assignment.open_update_state = update, update.state


def log(assignment: Assignment, kind: str, actor, data: dict, update: ProgressUpdate | None = None):
    """Record an event about an assignment (or one of its updates), naming its item."""
    payload = {"assignment_id": assignment.id, "item": assignment.recommendation.code, **data}
    return record(kind, actor=actor, target=update or assignment, entity=assignment.entity, assignment=assignment, data=payload)


def _submit(update: ProgressUpdate, actor, now: datetime, **_unused) -> dict:
    check_complete(update)
    # The cut-off rule (README "Rounds"): the update belongs to the round open when it is submitted;
    # past every cut-off it keeps its round until a later one is added.
    counted = _round_for(now)
    update.submitted_at, update.updated_at = now, now
    update.round = counted or update.round
    return content(update)


def _withdraw(update: ProgressUpdate, actor, now: datetime, **_unused) -> dict:
    update.updated_at = now
    return {}


def _accept(update: ProgressUpdate, actor, now: datetime, *, assessed_status: ImplementationStatus | None, text: str) -> dict:
    reason = clean_text(text, field="comment", limit=REVIEW_TEXT_LIMIT)
    if assessed_status is None:
        raise Refused(_("Choose the assessed status."), field="assessed_status")
    if assessed_status is not update.claimed_status and not reason:
        raise Refused(_("The assessed status differs from the claim: give the reason."), field="comment")
    before = update.assignment.official_status  # read before any change: a lazy load flushes
    update.assessed_status, update.assessment_reason = assessed_status, reason or None
    update.reviewed_by_id, update.reviewed_at = actor.id, now
    return {
        "claimed_status": update.claimed_status.value,
        "assessed_status": assessed_status.value,
        "reason": reason or None,
        "official_status": {"before": before.value, "after": assessed_status.value},
    }


def _return(update: ProgressUpdate, actor, now: datetime, *, text: str, **_unused) -> dict:
    comment = clean_text(text, field="comment", limit=REVIEW_TEXT_LIMIT)
    if not comment:
        raise Refused(_("Say what the entity should change: a comment is required to return an update."), field="comment")
    update.return_comment, update.updated_at = comment, now
    return {"comment": comment}


_STEPS = {"submit": _submit, "withdraw": _withdraw, "accept": _accept, "return": _return}
_EVENTS = {"submit": "update.submitted", "withdraw": "update.withdrawn", "accept": "update.accepted", "return": "update.returned"}


# 6. One move


def apply(
    update: ProgressUpdate,
    action: str,
    actor,
    *,
    version: int | None = None,
    assessed_status: ImplementationStatus | None = None,
    text: str = "",
) -> None:
    """Make one move: check it, change the update, project it onto its assignment, record it.

    ``version`` is the version the actor read (None: do not check); ``assessed_status`` and
    ``text`` (the reason for an assessment that differs, or the comment of a return) are the
    reviewer's.

    :raise Refused: the move is not in the table from this state, the actor may not make it,
        or the update lacks what the move needs. Nothing is changed.
    :raise Conflict: the update changed since ``version``.
    """
    target = TRANSITIONS.get((update.state, action))
    if target is None:
        raise Refused(
            _("An update that is “%(state)s” cannot be %(action)s.", state=update.state.title, action=_ACTION_WORDS[action]())
        )
    if not getattr(update, WHO_MAY[action])(actor):
        raise Refused(_NOT_YOURS[action]())
    check_version(update, version)
    now = utcnow()
    data = _STEPS[action](update, actor, now, assessed_status=assessed_status, text=text)
    update.state = target
    project(update.assignment, update, now)
    log(update.assignment, _EVENTS[action], actor, {"update_id": update.id, **data}, update)
