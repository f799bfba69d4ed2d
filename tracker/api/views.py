"""JSON API v1: the same operations, permissions and audit as the pages.

Every view declares who may call it with ``api_access`` and what it takes and returns with
``operation``; the OpenAPI document is generated from those declarations and the URL map. Authentication,
JSON errors, bodies and arguments are in ``tracker.api.http``.
"""

from __future__ import annotations

from flask import Blueprint, Response, g, request, stream_with_context, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import HTTPException

from tracker.accounts.models import Role
from tracker.api import http
from tracker.api import queries as api_queries
from tracker.api import schemas
from tracker.api.http import PUBLIC, ApiError, api_access, operation
from tracker.catalogue import queries as catalogue_queries
from tracker.catalogue.models import BriefingSession, Entity, Recommendation
from tracker.core.db import today
from tracker.core.errors import Refused
from tracker.exports import formats
from tracker.exports import queries as export_queries
from tracker.extensions import db
from tracker.progress import operations as progress
from tracker.progress import queries as progress_queries
from tracker.progress.models import Assignment, ImplementationStatus, ProgressUpdate, UpdateState

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(http.authenticate)
bp.after_request(http.no_store)
FOCAL_POINT, SECRETARIAT, AUDITOR = Role.focal_point, Role.secretariat, Role.auditor


def _links(urls: list[str]) -> list[str]:
    try:
        return progress.parse_links("\n".join(urls))
    except Refused as refused:
        raise ApiError(422, refused.message, "evidence_urls") from refused


def _update_out(update: ProgressUpdate) -> dict:
    return schemas.UpdateOut(
        id=update.id, assignment_id=update.assignment_id, entity=update.entity.code, item=update.assignment.recommendation.code,
        state=update.state, status=update.claimed_status, narrative=update.narrative, confidentiality=update.confidentiality,
        evidence=[
            schemas.EvidenceOut(id=e.id, kind=e.kind.value, url=e.url, filename=e.filename, sha256=e.sha256)
            for e in update.current_evidence
        ],
        version=update.version, created_at=update.created_at, submitted_at=update.submitted_at, reviewed_at=update.reviewed_at,
        assessed_status=update.assessed_status, assessment_reason=update.assessment_reason, return_comment=update.return_comment,
    ).model_dump(mode="json")


def _assignment_out(assignment: Assignment, model=schemas.AssignmentOut, **extra) -> dict:
    open_update = assignment.open_update
    visible = open_update is not None and open_update.can_view(g.api_user)
    return model(
        id=assignment.id, entity=assignment.entity.code, item=assignment.recommendation.code,
        session=assignment.recommendation.session.code, due=assignment.due, overdue=assignment.is_overdue,
        official_status=assignment.official_status, official_since=assignment.official_since,
        open_update_id=open_update.id if visible else None, version=assignment.version, **extra,
    ).model_dump(mode="json")


@bp.get("/catalogue")
@api_access(PUBLIC)
@operation("The whole catalogue: briefings, sessions, items, entities, rounds (as `flask catalogue export`).", response="Catalogue")
def catalogue():
    return catalogue_queries.catalogue_document()


@bp.get("/assignments")
@api_access(FOCAL_POINT, SECRETARIAT, AUDITOR)
@operation(
    "Assignments the caller may see, in id order; a focal point sees their entity's only.",
    response=schemas.AssignmentPage,
    query=(("entity", "string"), ("session", "string"), ("status", "status"), ("overdue", "boolean"), ("after", "integer"),
           ("limit", {"type": "integer", "minimum": 1, "maximum": 200, "default": 50})),
)
def assignments():
    limit = http.int_arg("limit", 50, 1, 200)
    after = http.int_arg("after", 0)
    query = (
        select(Assignment).join(Assignment.entity).join(Assignment.recommendation).join(Recommendation.session)
        .where(Assignment.id > after, Recommendation.retired_at.is_(None))
        .options(joinedload(Assignment.entity), joinedload(Assignment.recommendation).joinedload(Recommendation.session), joinedload(Assignment.open_update))
        .order_by(Assignment.id).limit(limit + 1)
    )
    if g.api_user.role is FOCAL_POINT:
        query = query.where(Assignment.entity_id == g.api_user.entity_id)
    if request.args.get("entity"):
        query = query.where(Entity.code == request.args["entity"].upper())
    if request.args.get("session"):
        query = query.where(BriefingSession.code == request.args["session"])
    if request.args.get("status"):
        try:
            query = query.where(Assignment.official_status == ImplementationStatus(request.args["status"]))
        except ValueError as exc:
            raise ApiError(422, "status must be one of " + ", ".join(s.value for s in ImplementationStatus), "status") from exc
    overdue = request.args.get("overdue", "")
    if overdue not in ("", "true", "false"):
        raise ApiError(422, "overdue must be true or false", "overdue")
    if overdue == "true":
        query = query.where(Assignment.overdue_on(today()))
    elif overdue == "false":
        query = query.where(~Assignment.overdue_on(today()))
    rows = list(db.session.scalars(query).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": [_assignment_out(a) for a in rows], "next_after": rows[-1].id if more else None}


def _assignment(assignment_id: int) -> Assignment:
    try:
        return progress_queries.get_assignment(assignment_id, g.api_user)
    except HTTPException as exc:
        raise ApiError(404, "There is no such assignment, or it is not yours to see.") from exc


def _update(update_id: int) -> ProgressUpdate:
    try:
        return progress_queries.get_update(update_id, g.api_user)
    except HTTPException as exc:
        raise ApiError(404, "There is no such update, or it is not yours to see.") from exc


@bp.get("/assignments/<id:assignment_id>")
@api_access(FOCAL_POINT, SECRETARIAT, AUDITOR)
@operation("One assignment with its history of accepted updates.", response=schemas.AssignmentDetail)
def assignment(assignment_id: int):
    item = _assignment(assignment_id)
    history = [
        schemas.AcceptedOut(update_id=u.id, claimed_status=u.claimed_status, assessed_status=u.assessed_status,
                            reason=u.assessment_reason, accepted_at=u.reviewed_at)
        for u in item.updates if u.state is UpdateState.accepted
    ]
    return _assignment_out(item, schemas.AssignmentDetail, history=history)


@bp.post("/assignments/<id:assignment_id>/updates")
@api_access(FOCAL_POINT)
@operation("Start a draft update on one of your entity's assignments.", body=schemas.UpdateCreate, response=schemas.UpdateOut, status=201)
def create_update(assignment_id: int):
    item = _assignment(assignment_id)
    data = http.body(schemas.UpdateCreate)
    update = http.act(lambda: progress.create_update(
        item, g.api_user, claimed_status=data.status, narrative=data.narrative, confidentiality=data.confidentiality, links=_links(data.evidence_urls),
    ))
    return _update_out(update), 201, {"Location": url_for(".update", update_id=update.id)}


@bp.get("/updates/<id:update_id>")
@api_access(FOCAL_POINT, SECRETARIAT, AUDITOR)
@operation("One update: drafts to their own entity only.", response=schemas.UpdateOut)
def update(update_id: int):
    return _update_out(_update(update_id))


@bp.patch("/updates/<id:update_id>")
@api_access(FOCAL_POINT)
@operation("Change a draft or returned update; give the version you read.", body=schemas.UpdatePatch, response=schemas.UpdateOut)
def patch_update(update_id: int):
    item = _update(update_id)
    data = http.body(schemas.UpdatePatch)
    http.act(lambda: progress.edit_update(
        item, g.api_user, version=data.version,
        claimed_status=data.status or item.claimed_status,
        narrative=item.narrative if data.narrative is None else data.narrative,
        confidentiality=data.confidentiality or item.confidentiality,
        links=_links(data.evidence_urls or []),
    ))
    return _update_out(item)


@bp.post("/updates/<id:update_id>/<any(submit, withdraw):action>")
@api_access(FOCAL_POINT)
@operation("Submit a draft for review, or withdraw a submitted update back to draft.", body=schemas.Transition, response=schemas.UpdateOut)
def transition(update_id: int, action: str):
    item = _update(update_id)
    data = http.body(schemas.Transition) if request.get_data() else schemas.Transition()
    step = progress.submit_update if action == "submit" else progress.withdraw_update
    http.act(lambda: step(item, g.api_user, version=data.version))
    return _update_out(item)


@bp.post("/updates/<id:update_id>/review")
@api_access(SECRETARIAT)
@operation("Accept with an assessed status, or return with a comment.", body=schemas.Review, response=schemas.UpdateOut)
def review(update_id: int):
    item = _update(update_id)
    data = http.body(schemas.Review)
    if data.decision == "accept":
        if data.assessed_status is None:
            raise ApiError(422, "assessed_status is required to accept.", "assessed_status")
        http.act(lambda: progress.accept_update(item, g.api_user, assessed_status=data.assessed_status, reason=data.comment, version=data.version))
    else:
        http.act(lambda: progress.return_update(item, g.api_user, comment=data.comment, version=data.version))
    return _update_out(item)


EVENT_PAGE_SIZE, EVENT_PAGE_MAX = schemas.EVENT_PAGE_SIZE, schemas.EVENT_PAGE_MAX


@bp.get("/events")
@api_access(AUDITOR)
@operation(
    "Audit events, filtered as the timelines, as JSON pages keyed by sequence number: newest first (?before=), or in "
    "chain order (?after=, from 0 for the whole chain; a before= then ends the range), with the next page in `next` "
    "and the Link header. "
    "With Accept: application/x-ndjson, a stream instead: every event in chain order, one per line, then a manifest line.",
    response=schemas.EventPage,
    query=(("entity", "string"), ("session", "string"), ("item", "string"), ("assignment", "integer"), ("kind", "string"),
           ("date_from", "date"), ("date_to", "date"), ("before", "integer"), ("after", "integer"),
           ("limit", {"type": "integer", "minimum": 1, "maximum": EVENT_PAGE_MAX, "default": EVENT_PAGE_SIZE})),
    ndjson="EventStreamLine",
    paged=True,
)
def events():
    filters = export_queries.TimelineFilters.from_args(request.args)
    if filters.problems:
        raise ApiError(422, f"{filters.problems[0]} is not understood (dates are YYYY-MM-DD).", filters.problems[0])
    if request.accept_mimetypes.best_match(["application/json", "application/x-ndjson"]) == "application/x-ndjson":
        rows, manifest = export_queries.timeline_rows(g.api_user, filters)
        return Response(stream_with_context(formats.jsonl_chunks(rows, manifest)), mimetype="application/x-ndjson")
    before, after = http.int_arg("before"), http.int_arg("after")
    limit = http.int_arg("limit", EVENT_PAGE_SIZE, 1, EVENT_PAGE_MAX)
    next_before = next_after = None
    if after is None:
        page, next_before = export_queries.page(g.api_user, filters, before, size=limit)
    else:  # chain order; a before= given too bounds the range from above
        page, next_after = api_queries.events_after(g.api_user, filters, after, limit, before)
    items = [schemas.EventOut(**e.payload(), prev_hash=e.prev_hash, hash=e.hash).model_dump(mode="json") for e in page]
    body = {"items": items, "limit": limit, "next_before": next_before, "next_after": next_after, "next": None}
    headers = {}
    if next_before is not None or next_after is not None:
        cursor = {"before": next_before} if next_before is not None else {"after": next_after}
        args = {k: v for k, v in request.args.items() if k not in ("limit", *cursor)}
        body["next"] = url_for(".events", **args, **cursor, limit=limit)
        headers["Link"] = f'<{body["next"]}>; rel="next"'
    return body, 200, headers


@bp.get("/openapi.json")
@api_access(PUBLIC)
@operation("This document.", response="OpenAPI")
def openapi():
    from flask import current_app

    from tracker.api.openapi import document

    return document(current_app)

