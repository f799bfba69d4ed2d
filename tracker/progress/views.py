"""Worklist, updates and their review, rounds and due dates, the worklist as a spreadsheet."""

from __future__ import annotations

import os
import secrets
from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from tracker.accounts.forms import EmptyForm
from tracker.accounts.models import Role
from tracker.catalogue import queries as catalogue_queries
from tracker.catalogue.models import ReportingRound
from tracker.core.access import SIGNED_IN, access, public
from tracker.core.db import utcnow
from tracker.core.errors import Conflict, Refused
from tracker.core.transaction import refusals
from tracker.extensions import db
from tracker.progress import evidence as evidence_files
from tracker.progress import operations, queries
from tracker.progress import spreadsheet as spreadsheet_io
from tracker.progress.forms import DueForm, ReviewForm, RoundForm, SpreadsheetForm, UpdateForm
from tracker.progress.models import SHAPES, Confidentiality, Evidence, EvidenceKind, ImplementationStatus, status_css

bp = Blueprint("progress", __name__)
bp.add_app_template_global(SHAPES, "shapes")
bp.add_app_template_global(status_css, "status_css")
# The public item page (catalogue) shows what the addressees published, without importing progress.
bp.add_app_template_global(queries.published_statuses, "published_statuses")
bp.add_app_template_global(lambda: {s.value: s.title for s in ImplementationStatus}, "status_titles")

FOCAL_POINT, SECRETARIAT, AUDITOR = Role.focal_point, Role.secretariat, Role.auditor
HOMES = {
    Role.focal_point: "progress.worklist",
    Role.secretariat: "progress.review_queue",
    Role.auditor: "progress.review_queue",
    Role.admin: "accounts.users",
}


def _user():
    return current_user._get_current_object()


@bp.get("/status.css")
@public
def status_stylesheet():
    """The status colours of the one palette, as a stylesheet every page links."""
    return Response(status_css(), mimetype="text/css")


@bp.get("/home")
@access(SIGNED_IN)
def home():
    return redirect(url_for(HOMES[current_user.role]))


@bp.get("/worklist")
@access(FOCAL_POINT)
def worklist():
    args = request.args
    try:
        due_before = date.fromisoformat(args["due_before"]) if args.get("due_before") else None
    except ValueError:
        due_before = None
        flash(_("The due date filter was not a date and was ignored."), "error")
    filters = queries.WorklistFilters(
        session=args.get("session", ""), status=args.get("status", ""), theme=args.get("theme", ""),
        due_before=due_before, overdue=args.get("overdue") == "1", page=args.get("page", 1, type=int),
    )
    page = queries.worklist(current_user.entity_id, filters)
    briefing = catalogue_queries.latest_briefing()
    return render_template(
        "progress/worklist.html",
        page=page,
        filters=filters,
        briefing=briefing,
        themes=catalogue_queries.themes(),
        statuses=list(ImplementationStatus),
        round=operations.current_round(),
        closed_round=queries.last_closed_round(),
    )


@bp.get("/assignments/<id:assignment_id>")
@access(FOCAL_POINT, SECRETARIAT, AUDITOR)
def assignment(assignment_id: int):
    assignment = queries.get_assignment(assignment_id, _user())
    due_form = DueForm(due=assignment.due) if assignment.can_set_due(_user()) else None
    return render_template(
        "progress/assignment.html",
        assignment=assignment,
        history=queries.history(assignment),
        due_form=due_form,
    )


@bp.post("/assignments/<id:assignment_id>/due")
@access(SECRETARIAT)
def set_due(assignment_id: int):
    assignment = queries.get_assignment(assignment_id, _user())
    form = DueForm()
    if form.validate_on_submit():
        operations.set_assignment_due(assignment, form.due.data, actor=_user())
        flash(_("The due date is now %(date)s.", date=form.due.data.isoformat()), "info")
    else:
        flash(_("Enter the due date as a date."), "error")
    return redirect(url_for(".assignment", assignment_id=assignment.id))


def _update_fields(form: UpdateForm) -> dict:
    return {
        "claimed_status": ImplementationStatus(form.claimed_status.data),
        "narrative": form.narrative.data,
        "confidentiality": Confidentiality(form.confidentiality.data),
        "links": operations.parse_links(form.evidence_links.data),
        "upload": form.evidence_file.data,
    }


@bp.route("/assignments/<id:assignment_id>/updates/new", methods=["GET", "POST"])
@access(FOCAL_POINT)
def new_update(assignment_id: int):
    assignment = queries.get_assignment(assignment_id, _user())
    if assignment.open_update_id is not None:
        flash(_("This item already has an open update: continue it here."), "info")
        return redirect(url_for(".update", update_id=assignment.open_update_id))
    form = UpdateForm()
    if request.method == "GET" and assignment.accepted_update is not None:
        form.claimed_status.data = assignment.official_status.value
    if form.validate_on_submit():
        with refusals(form, "narrative", conflicts=True) as attempt:
            update = operations.create_update(assignment, _user(), **_update_fields(form))
            if "submit" in request.form:
                operations.submit_update(update, _user())
        if attempt.ok:
            flash(_("Your update was submitted for review.") if "submit" in request.form else _("Your draft was saved. Only your entity can see it."), "info")
            return redirect(url_for(".update", update_id=update.id))
    return render_template("progress/update_form.html", form=form, assignment=assignment, update=None)


@bp.get("/updates/<id:update_id>")
@access(FOCAL_POINT, SECRETARIAT, AUDITOR)
def update(update_id: int):
    update = queries.get_update(update_id, _user())
    review_form = None
    if update.can_review(_user()):
        review_form = ReviewForm(assessed_status=update.claimed_status.value, version=update.version)
    return render_template(
        "progress/update.html",
        update=update,
        assignment=update.assignment,
        review_form=review_form,
        history=queries.history(update.assignment),
        since_return=queries.since_return(update),
    )


@bp.route("/updates/<id:update_id>/edit", methods=["GET", "POST"])
@access(FOCAL_POINT)
def edit_update(update_id: int):
    update = queries.get_update(update_id, _user())
    if not update.can_edit(_user()):
        flash(_("This update is “%(state)s” and can no longer be edited.", state=update.state.title), "error")
        return redirect(url_for(".update", update_id=update.id))
    form = UpdateForm(obj=None if request.method == "POST" else update)
    if request.method == "GET":
        form.claimed_status.data = update.claimed_status.value
        form.confidentiality.data = update.confidentiality.value
        form.version.data = str(update.version)
    if form.validate_on_submit():
        removed = [int(v) for v in request.form.getlist("remove_evidence") if v.isdigit()]
        try:
            with refusals(form, "narrative") as attempt:
                operations.edit_update(update, _user(), version=form.version_number(), remove_evidence=removed, **_update_fields(form))
                if "submit" in request.form:
                    operations.submit_update(update, _user())
        except Conflict as conflict:
            return _conflict(form, update_id, conflict)
        if attempt.ok:
            flash(_("Your update was submitted for review.") if "submit" in request.form else _("Your changes were saved."), "info")
            return redirect(url_for(".update", update_id=update.id))
    return render_template("progress/update_form.html", form=form, assignment=update.assignment, update=update)


def _conflict(form: UpdateForm, update_id: int, conflict: Conflict):
    """Show the saved version beside the person's own text, which is kept in the form."""
    saved = queries.get_update(update_id, _user())
    form.version.data = str(saved.version)
    return (
        render_template("progress/update_form.html", form=form, assignment=saved.assignment, update=saved, conflict=conflict.message, saved=saved),
        409,
    )


@bp.post("/updates/<id:update_id>/<any(submit, withdraw):action>")
@access(FOCAL_POINT)
def transition(update_id: int, action: str):
    update = queries.get_update(update_id, _user())
    version = request.form.get("version", "")  # CSRFProtect has checked the token already
    step = operations.submit_update if action == "submit" else operations.withdraw_update
    with refusals() as attempt:  # a refusal is flashed; a conflict is the 409 page
        step(update, _user(), version=int(version) if version.isdigit() else None)
    if attempt.ok:
        flash(_("Your update was submitted for review.") if action == "submit" else _("Your update was withdrawn: it is a draft again, visible only to your entity."), "info")
    return redirect(url_for(".update", update_id=update.id))


@bp.post("/updates/<id:update_id>/review")
@access(SECRETARIAT)
def review(update_id: int):
    update = queries.get_update(update_id, _user())
    form = ReviewForm()
    if form.validate_on_submit():
        with refusals(form, "comment") as attempt:  # a conflict is the 409 page
            if form.decision.data == "accept":
                operations.accept_update(update, _user(), assessed_status=ImplementationStatus(form.assessed_status.data), reason=form.comment.data, version=form.version_number())
            else:
                operations.return_update(update, _user(), comment=form.comment.data, version=form.version_number())
        if attempt.ok:
            flash(_("The update was accepted; the official status is updated.") if form.decision.data == "accept" else _("The update was returned to the entity with your comment."), "info")
            return redirect(url_for(".review_queue"))
    update = queries.get_update(update_id, _user())
    return render_template(
        "progress/update.html", update=update, assignment=update.assignment, review_form=form, history=queries.history(update.assignment),
        since_return=queries.since_return(update),
    ), 400


@bp.get("/evidence/<id:evidence_id>")
@access(FOCAL_POINT, SECRETARIAT, AUDITOR)
def evidence(evidence_id: int):
    item = db.session.get(Evidence, evidence_id)
    if item is None or item.kind is not EvidenceKind.file or not item.update.can_view(_user()):
        abort(404)
    response = send_file(
        evidence_files.path_of(item.stored_name), mimetype=item.content_type, as_attachment=True, download_name=item.filename
    )
    response.content_type = item.content_type  # as stored: send_file would add a second charset to text/*
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; frame-ancestors 'none'"
    return response


@bp.get("/review")
@access(SECRETARIAT, AUDITOR)
def review_queue():
    filters = queries.QueueFilters(entity=request.args.get("entity", "").upper(), session=request.args.get("session", ""))
    briefing = catalogue_queries.latest_briefing()
    return render_template("progress/review_queue.html", updates=queries.review_queue(filters), filters=filters, briefing=briefing)


def _save_round(form: RoundForm, round_: ReportingRound | None) -> bool:
    """Add or change a round from its form; False leaves the reason on the form."""
    with refusals(form, "due", conflicts=True) as attempt:
        operations.save_round(
            round_, code=form.code.data, title=form.title.data, due=form.due.data, meeting_date=form.meeting_date.data, actor=_user()
        )
    return attempt.ok


@bp.route("/rounds", methods=["GET", "POST"])
@access(SECRETARIAT)
def rounds():
    form = RoundForm()
    if form.validate_on_submit() and _save_round(form, None):
        flash(_("The round was added."), "info")
        return redirect(url_for(".rounds"))
    all_rounds = db.session.scalars(select(ReportingRound).order_by(ReportingRound.due)).all()
    return render_template("progress/rounds.html", rounds=all_rounds, form=form, current=operations.current_round(), now=utcnow())


@bp.route("/rounds/<id:round_id>", methods=["GET", "POST"])
@access(SECRETARIAT)
def edit_round(round_id: int):
    round_ = db.session.get(ReportingRound, round_id) or abort(404)
    form = RoundForm(obj=round_)
    if form.validate_on_submit() and _save_round(form, round_):
        flash(_("The round was saved."), "info")
        return redirect(url_for(".rounds"))
    return render_template("progress/round_form.html", form=form, round=round_)


# The spreadsheet round trip: download, upload to a preview, confirm.


def _upload_path(token: str) -> str:
    folder = os.path.join(current_app.instance_path, "imports")
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, f"{token}.xlsx")


@bp.get("/worklist/spreadsheet")
@access(FOCAL_POINT)
def spreadsheet():
    name = f"worklist-{current_user.entity.code}-{utcnow():%Y%m%d}.xlsx"
    return send_file(spreadsheet_io.workbook_for(current_user.entity), mimetype=spreadsheet_io.MEDIA_TYPE, as_attachment=True, download_name=name)


@bp.route("/worklist/spreadsheet/upload", methods=["GET", "POST"])
@access(FOCAL_POINT)
def spreadsheet_upload():
    form = SpreadsheetForm()
    if form.validate_on_submit():
        token = secrets.token_urlsafe(16)
        path = _upload_path(token)
        form.spreadsheet.data.save(path)
        try:
            preview = spreadsheet_io.read(path, current_user)
        except Refused as refused:
            os.remove(path)
            form.spreadsheet.errors = [refused.message]
        else:
            session["spreadsheet_import"] = token
            return render_template("progress/spreadsheet_preview.html", preview=preview, confirm_form=EmptyForm())
    return render_template("progress/spreadsheet_upload.html", form=form), (400 if form.errors else 200)


@bp.post("/worklist/spreadsheet/confirm")
@access(FOCAL_POINT)
def spreadsheet_confirm():
    token = session.pop("spreadsheet_import", None)
    if not token or not os.path.exists(_upload_path(token)):
        flash(_("There is no spreadsheet waiting to be imported: upload it again."), "error")
        return redirect(url_for(".spreadsheet_upload"))
    path = _upload_path(token)
    try:
        with refusals(conflicts=True) as attempt:
            preview = spreadsheet_io.read(path, current_user)  # again: things may have changed since the preview
            counts = operations.apply_import(preview, current_user._get_current_object())
    finally:
        if os.path.exists(path):
            os.remove(path)
    if not attempt.ok:
        return redirect(url_for(".spreadsheet_upload"))
    flash(_("Imported: %(created)d new drafts, %(updated)d open updates changed, %(unchanged)d rows unchanged. Review and submit them from your items.", **counts), "info")
    return redirect(url_for(".worklist"))
