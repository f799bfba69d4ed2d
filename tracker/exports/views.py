"""Timelines and their exports, and the public open-data export."""

from __future__ import annotations

import csv
import io

from flask import (
    Blueprint, Response, flash, redirect, render_template, request, send_file, stream_with_context, url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from tracker.accounts.models import Role
from tracker.catalogue import queries as catalogue_queries
from tracker.core.access import access, public
from tracker.core.db import utcnow
from tracker.core.text import escape_cell
from tracker.core.web import id_arg
from tracker.exports import events as events_vocabulary
from tracker.exports import formats, queries
from tracker.exports.forms import TimelineFilterForm

bp = Blueprint("exports", __name__)
# Every page that lists events (an assignment's history too) names kinds and roles as the timeline does.
bp.add_app_template_filter(events_vocabulary.kind_title, "event_title")
bp.add_app_template_filter(lambda value: events_vocabulary.enum_title(Role, value), "role_title")

READERS = (Role.focal_point, Role.secretariat, Role.auditor)


def _filter_form(entities: list) -> TimelineFilterForm:
    """The timeline's filters from the query string, validated; a field in error is left out."""
    briefing = catalogue_queries.latest_briefing()
    form = TimelineFilterForm(
        formdata=request.args,
        sessions=briefing.sessions if briefing else (),
        entities=entities,
        with_entity=current_user.role is not Role.focal_point,
    )
    if request.args:
        form.validate()
    return form


@bp.get("/timeline")
@access(*READERS)
def timeline():
    all_entities = queries.entity_names()
    form = _filter_form(all_entities)
    events, next_before = queries.page(current_user, form.filters(), id_arg(request.args.get("before")))
    entities = {row.id: row for row in all_entities}
    return render_template(
        "exports/timeline.html",
        form=form,
        events=events,
        next_before=next_before,
        entities=entities,
        entity_names={row.code: row.name for row in entities.values()},
        items=queries.labels()[1],
        actors=queries.actors(events),
        kind_groups=events_vocabulary.KIND_GROUPS,
        kind_title=events_vocabulary.kind_title,
        details=events_vocabulary.details,
        roles={role.value: role.title for role in Role},
        query=form.query(),
    )


@bp.get("/timeline/export.<any(csv, jsonl, xlsx):fmt>")
@access(*READERS)
def timeline_export(fmt: str):
    form = _filter_form(queries.entity_names())
    if form.errors:
        flash(_("Nothing was exported: correct the filters below, then export again."), "error")
        return redirect(url_for(".timeline", **{name: request.args[name] for name in form.data if name in request.args}))
    filters = form.filters()
    rows, manifest = queries.timeline_rows(current_user, filters)
    name = f"timeline-{utcnow():%Y%m%dT%H%M%SZ}.{fmt}"
    if fmt == "xlsx":
        return send_file(formats.xlsx_file(rows, manifest), mimetype=formats.MEDIA_TYPES[fmt], as_attachment=True, download_name=name)
    chunks = formats.csv_chunks(rows, manifest) if fmt == "csv" else formats.jsonl_chunks(rows, manifest)
    # content_type, not mimetype: Werkzeug adds "; charset=utf-8" to a text/* mimetype, and ours has it.
    response = Response(stream_with_context(chunks), content_type=formats.MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/open-data/statuses.<any(json, csv):fmt>")
@public
def open_data(fmt: str):
    """The accepted statuses their entities chose to publish, and nothing else."""
    rows = list(queries.open_data_rows())
    if fmt == "json":
        return {"generated_at": utcnow().isoformat(), "statuses": rows}
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = ["item", "entity", "entity_name", "status", "accepted_at", "narrative", "evidence_links"]
    writer.writerow(columns)
    for row in rows:
        row["evidence_links"] = " ".join(row["evidence_links"])
        writer.writerow([escape_cell(row[c]) for c in columns])
    response = Response(buffer.getvalue(), content_type=formats.MEDIA_TYPES["csv"])
    response.headers["Content-Disposition"] = 'attachment; filename="ctc-public-statuses.csv"'
    return response
