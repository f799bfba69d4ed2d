"""Dashboard, readiness grid, point-in-time item view, and the progress report (HTML, PDF, frozen)."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select

from tracker.accounts.models import Role
from tracker.audit import queries as audit_queries
from tracker.audit.operations import digest
from tracker.catalogue import queries as catalogue_queries
from tracker.catalogue.models import ReportingRound
from tracker.core.access import access
from tracker.core.db import today
from tracker.core.transaction import refusals
from tracker.extensions import cache, db
from tracker.progress.models import SHAPES, ImplementationStatus
from tracker.reports import charts, history, operations, pdf, report
from tracker.reports import dashboard as dashboard_queries
from tracker.reports import grid as grid_queries
from tracker.reports import lists as list_queries
from tracker.reports.models import FrozenReport
from tracker.reports.tally import STATUS_VALUES, Tally

bp = Blueprint("reports", __name__, url_prefix="/reports")

SECRETARIAT, AUDITOR = Role.secretariat, Role.auditor
SILENT_DAYS = 30


def _as_of() -> date | None:
    """Read ``?as_of=YYYY-MM-DD``; a bad or future date is ignored with a message."""
    raw = request.args.get("as_of", "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        flash(_("“%(value)s” is not a date (YYYY-MM-DD); showing today instead.", value=raw[:20]), "error")
        return None
    if day > today():
        flash(_("%(date)s is in the future; showing today instead.", date=day.isoformat()), "error")
        return None
    return day


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    value = request.args.get(name, "")
    return min(high, max(low, int(value))) if value.isdigit() else default


def _linker(endpoint: str, **fixed):
    """Return a cheap link builder: url_for once, then query strings (hundreds of links per page)."""
    base = url_for(endpoint)

    def link(**params) -> str:
        query = {k: v for k, v in {**fixed, **params}.items() if v not in (None, "")}
        return base + ("?" + urlencode(query) if query else "")

    return link


def _cells(link):
    """Return ``cells(tally, **params)``: a row's figures as table cells, each a link to the
    assignments behind it (the row's link, narrowed by flag or status), in the order of
    ``tally_heads`` in reports/_macros.html.

    Built here rather than in a Jinja macro: the dashboard holds a row per entity, two hundred and
    more, of ten figures each.
    """

    def cells(t: Tally, **params) -> Markup:
        here = link(**params)
        narrowed = escape(here + ("&" if "?" in here else "?"))

        def figure(count: int, narrow: str) -> str:
            return f'<td class="num"><a href="{narrowed}{narrow}">{count}</a></td>' if count else '<td class="num">0</td>'

        share = round(100 * t.share_accepted)
        return Markup("".join([
            f'<td class="num"><a href="{escape(here)}">{t.total}</a></td>',
            f'<td class="num"><a href="{narrowed}flag=accepted">{t.accepted}</a> <span class="share">({share}%)</span></td>',
            figure(t.overdue, "flag=overdue"),
            figure(t.returned, "flag=returned"),
            *(figure(t.by_status[status], f"status={status}") for status in STATUS_VALUES),
        ]))

    return cells


def _status_titles() -> dict:
    return {s.value: s.title for s in ImplementationStatus}


def _round(code: str | None) -> ReportingRound:
    """:raise 404: no round has that code (or there is no round at all)."""
    if code:
        found = db.session.scalar(select(ReportingRound).where(ReportingRound.code == code))
    else:
        found = dashboard_queries.round_on(today())
    if found is None:
        abort(404)
    return found


@bp.get("/")
@access(SECRETARIAT, AUDITOR)
def dashboard():
    """Readiness at a glance. The figures only change with the audit chain (every change records an
    event) or the day, so the rendered body is cached under the chain's head: never stale, and
    computed once however many people look."""
    as_of = _as_of()
    silent_days = _int_arg("silent_days", SILENT_DAYS, 1, 3650)
    key = "|".join(map(str, ("dashboard", audit_queries.head()[1], today(), as_of, silent_days, get_locale())))
    body = cache.get(key)
    if body is None:
        body = _dashboard_body(as_of, silent_days)
        cache.set(key, body)
    return render_template("reports/dashboard.html", body=Markup(body))


def _dashboard_body(as_of: date | None, silent_days: int) -> str:
    board = history.dashboard_as_of(as_of) if as_of else dashboard_queries.live_dashboard()
    briefing_day = board.catalogue.sessions[0].briefing_date if board.catalogue.sessions else board.day
    bars = charts.status_bars("dash-sessions", [(s.code, t.by_status) for s, t in board.sessions], _("Official status by session"))
    line = None
    if board.round is not None:
        line = charts.timeline(
            "dash-timeline", board.timeline, start=briefing_day, cutoff=board.round.due, meeting=board.round.meeting_date,
            today=board.day, title=_("Assignments with an update accepted in the round, by date"),
        )
    link = _linker("reports.assignments", as_of=as_of.isoformat() if as_of else None)
    return render_template(
        "reports/_dashboard_body.html",
        board=board,
        silent=board.silent(silent_days),
        silent_days=silent_days,
        bars=bars,
        line=line,
        link=link,
        cells=_cells(link),
        statuses=list(ImplementationStatus),
        cumulative=_cumulate(board.timeline),
        weekly=len(board.timeline) > 20,
    )


def _cumulate(points, weekly_after: int = 20):
    """Return (day, count, running total) rows; by week (starting Monday) when there are many days."""
    if len(points) > weekly_after:
        weeks: dict = {}
        for day, count in points:
            monday = day - timedelta(days=day.weekday())
            weeks[monday] = weeks.get(monday, 0) + count
        points = sorted(weeks.items())
    running, out = 0, []
    for day, count in points:
        running += count
        out.append((day, count, running))
    return out


@bp.get("/assignments")
@access(SECRETARIAT, AUDITOR)
def assignments():
    args = request.args
    filters = list_queries.ListFilters(
        session=args.get("session", ""), theme=args.get("theme", ""), entity=args.get("entity", "").upper(),
        item=args.get("item", ""), status=args.get("status", ""), flag=args.get("flag", ""),
        as_of=_as_of(), page=_int_arg("page", 1, 1, 100000),
    ).clean()
    page = history.list_as_of(filters) if filters.as_of else list_queries.live_list(filters)
    return render_template(
        "reports/assignments.html",
        page=page,
        filters=filters,
        cat=dashboard_queries.catalogue(),
        statuses=list(ImplementationStatus),
        day=filters.as_of or today(),
    )


def _grid_cells(row: grid_queries.GridRow, items: list, base: str, labels: dict) -> Markup:
    """Return the row's cells as HTML: built in Python, not in Jinja, since a page holds thousands.

    Each cell shows the status by shape and colour, names it in words (the link's
    accessible name, which replaces the shape for assistive technology), and links to
    the assignment.
    """
    parts = []
    for item in items:
        cell = row.cells.get(item.id)
        if cell is None:
            parts.append('<td class="cell none">·</td>')
            continue
        assignment_id, status, overdue, state = cell
        words = labels[status]
        flags = ""
        if overdue:
            flags += '<span class="flag" aria-hidden="true">!</span>'
            words += labels["overdue"]
        if state == "returned":
            flags += '<span class="flag" aria-hidden="true">↩</span>'
            words += labels["returned"]
        parts.append(
            f'<td class="cell c-{status}"><a href="{base}{assignment_id}" aria-label="{escape(words)}">'
            f'{SHAPES[status]}{flags}</a></td>'
        )
    return Markup("".join(parts))


@bp.get("/grid")
@access(SECRETARIAT, AUDITOR)
def grid():
    args = request.args
    filters = grid_queries.GridFilters(
        session=args.get("session", ""), kind=args.get("kind", ""), q=args.get("q", ""), status=args.get("status", ""),
        sort=args.get("sort", "name"), page=_int_arg("page", 1, 1, 1000),
    ).clean()
    cat = dashboard_queries.catalogue()
    items, page = grid_queries.grid(filters, cat)
    return render_template(
        "reports/grid.html",
        items=items, page=page, filters=filters,
        cat=cat, statuses=list(ImplementationStatus), cell_labels={**_status_titles(), "overdue": _(", overdue"), "returned": _(", returned for changes")},
        assignment_base=url_for("progress.assignment", assignment_id=0)[:-1], grid_cells=_grid_cells,
    )


@bp.get("/briefings/<code>/items/<item_code>")
@access(SECRETARIAT, AUDITOR)
def item(code: str, item_code: str):
    """An item's addressees and their status, today or as it was at the end of ``as_of``."""
    recommendation = catalogue_queries.find_item(code, item_code)
    as_of = _as_of()
    status = request.args.get("status", "")
    status = status if status in STATUS_VALUES else ""
    number = _int_arg("page", 1, 1, 100000)
    if as_of:
        round_, tally, page = history.item_addressees_as_of(recommendation.id, as_of, status, number)
    else:
        round_, tally, page = list_queries.item_addressees(recommendation.id, status, number)
    args = {"status": status, "as_of": as_of.isoformat() if as_of else ""}
    return render_template(
        "reports/item.html", briefing=recommendation.briefing, item=recommendation, page=page, tally=tally, as_of=as_of, day=as_of or today(),
        round=round_, status=status, statuses=list(ImplementationStatus), args={k: v for k, v in args.items() if v},
    )


# The progress report


def _report_context(content: dict, *, frozen: FrozenReport | None = None) -> dict:
    rows = [(s["code"], s["tally"]["by_status"]) for s in content["sessions"]]
    points = [(date.fromisoformat(d), n) for d, n in content["timeline"]]
    round_ = content["round"]
    start = min([p[0] for p in points] + [date.fromisoformat(round_["due"])])
    prefix = f"r{frozen.id}" if frozen else "r"
    return {
        "content": content,
        "frozen": frozen,
        "titles": _status_titles(),
        "statuses": list(ImplementationStatus),
        "bars": charts.status_bars(prefix + "-sessions", rows, _("Official status by session")),
        "line": charts.timeline(
            prefix + "-timeline", points, start=start.replace(day=1), cutoff=date.fromisoformat(round_["due"]),
            meeting=date.fromisoformat(round_["meeting_date"]), today=date.fromisoformat(content["today"]),
            title=_("Assignments with an update accepted in the round, by date"),
        ),
        "cumulative": _cumulate(points),
        "weekly": len(points) > 20,
        "Tally": Tally,
        "group_addressees": report.group_addressees,
        "as_date": date.fromisoformat,
    }


@bp.get("/progress-report")
@access(SECRETARIAT, AUDITOR)
def progress_report():
    round_ = _round(request.args.get("round"))
    content = report.build(round_)
    frozen = db.session.scalars(select(FrozenReport).where(FrozenReport.round_id == round_.id).order_by(FrozenReport.frozen_at.desc())).all()
    return render_template(
        "reports/report.html", rounds=dashboard_queries.all_rounds(), round=round_, frozen_reports=frozen,
        can_freeze=current_user.role is SECRETARIAT, **_report_context(content),
    )


@bp.get("/progress-report.pdf")
@access(SECRETARIAT, AUDITOR)
def progress_report_pdf():
    round_ = _round(request.args.get("round"))
    return _pdf(_report_context(report.build(round_)), f"progress-report-{round_.code}.pdf")


def _pdf(context: dict, filename: str) -> Response:
    html = render_template("reports/report_pdf.html", **context)
    response = Response(pdf.render(html), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.post("/rounds/<id:round_id>/freeze")
@access(SECRETARIAT)
def freeze(round_id: int):
    round_ = db.session.get(ReportingRound, round_id) or abort(404)
    with refusals(conflicts=True) as attempt:
        frozen = operations.freeze_report(round_, current_user._get_current_object())
    if not attempt.ok:
        return redirect(url_for(".progress_report", round=round_.code))
    flash(_("The report was frozen. This copy will not change; compare it with today's state at any time."), "info")
    return redirect(url_for(".frozen", report_id=frozen.id))


def _frozen(report_id: int) -> FrozenReport:
    """:raise 404: no frozen report has that id."""
    return db.session.get(FrozenReport, report_id) or abort(404)


@bp.get("/frozen/<id:report_id>")
@access(SECRETARIAT, AUDITOR)
def frozen(report_id: int):
    kept = _frozen(report_id)
    now = report.build(kept.round)
    return render_template(
        "reports/frozen.html",
        kept=kept,
        intact=digest(kept.content) == kept.content_sha256,
        comparison=report.compare(kept.content, now),
        **_report_context(kept.content, frozen=kept),
    )


@bp.get("/frozen/<id:report_id>.pdf")
@access(SECRETARIAT, AUDITOR)
def frozen_pdf(report_id: int):
    kept = _frozen(report_id)
    return _pdf(_report_context(kept.content, frozen=kept), f"progress-report-{kept.round.code}-frozen-{kept.id}.pdf")
