"""Server-drawn SVG charts: accessible, escaped, no inline styles (the CSP forbids them)."""

from __future__ import annotations

import re
from datetime import date
from xml.etree import ElementTree

import pytest

from tracker.reports import charts


@pytest.fixture
def ctx(app):
    with app.test_request_context("/"):
        yield


ROWS = [("I", {"not_started": 3, "implemented": 1}), ('<b>"x"</b>', {"in_progress": 2, "not_applicable": 2})]


def test_status_bars(ctx):
    svg = str(charts.status_bars("t", ROWS, "Status by session"))
    tree = ElementTree.fromstring(svg)  # well-formed
    assert tree.get("role") == "img" and tree.get("aria-labelledby") == "t-title t-desc"
    assert "Status by session" in svg and "<b>" not in svg and "&lt;b&gt;" in svg
    assert "style=" not in svg and "<script" not in svg
    assert "I: Implemented, 1 of 4 (25%)" in svg
    assert 'fill="url(#t-in_progress)"' in svg  # a pattern, not only a colour
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="8" width="([\d.]+)"', svg)]
    assert sum(widths) == pytest.approx(420, abs=0.1)  # the bar is the whole of its row


@pytest.mark.parametrize("points", [[], [(date(2018, 11, 2), 3), (date(2019, 2, 1), 2)]])
def test_timeline(ctx, points):
    svg = str(charts.timeline("tl", points, start=date(2018, 10, 8), cutoff=date(2019, 2, 28), meeting=date(2019, 3, 31), today=date(2019, 3, 15), title="Accepted"))
    ElementTree.fromstring(svg)
    assert "Cut-off" in svg and "Meeting" in svg and "Today" in svg and "style=" not in svg
    assert f"{sum(n for _d, n in points)} in all" in svg


def _texts(svg: str, fill: str) -> list[tuple[float, float, str, str]]:
    """(x, y, anchor, text) of every label drawn in ``fill``."""
    tree = ElementTree.fromstring(svg)
    found = []
    for node in tree.iter("{http://www.w3.org/2000/svg}text"):
        if node.get("fill") == fill:
            found.append((float(node.get("x")), float(node.get("y")), node.get("text-anchor", "start"), node.text or ""))
    return found


def _apart(labels) -> bool:
    """No two labels on the same line overlap (at the generous width the chart plans with)."""
    spans = []
    for x, y, anchor, text in labels:
        width = charts.CHAR_W * len(text)
        a, b = {"end": (x - width, x), "middle": (x - width / 2, x + width / 2)}.get(anchor, (x, x + width))
        spans.append((y, a, b))
    return all(not (y1 == y2 and a1 < b2 and a2 < b1) for i, (y1, a1, b1) in enumerate(spans) for (y2, a2, b2) in spans[i + 1:])


def test_a_date_far_outside_the_round_neither_stretches_the_axis_nor_crowds_the_labels(ctx):
    points = [(date(2018, 11, 2), 3), (date(2019, 2, 1), 2), (date(2026, 11, 30), 1)]
    svg = str(charts.timeline("tl", points, start=date(2018, 10, 8), cutoff=date(2019, 2, 28), meeting=date(2019, 3, 31), today=date(2026, 12, 4), title="Accepted"))
    months = [t for _x, _y, _a, t in _texts(svg, "#1b1b1b") if not t.isdigit()]
    assert months[0] == "Nov 18" and months[-1] in ("Mar 19", "Feb 19") and not any(m.endswith(("20", "26")) for m in months)
    assert _apart(_texts(svg, "#1b1b1b"))
    xs = [float(x) for x in re.findall(r'cx="([\d.]+)"', svg)]
    assert max(xs) <= 56 + 560  # every mark inside the plot
    assert "6 in all" in svg and "After Mar 31, 2019" in svg and "Nov 30, 2026" in svg  # the late one, gathered and named


@pytest.mark.parametrize("today", [date(2019, 3, 1), date(2019, 3, 15), date(2019, 3, 29), date(2019, 3, 31), date(2019, 2, 28)])
def test_marker_labels_never_overlap(ctx, today):
    svg = str(charts.timeline("tl", [], start=date(2018, 10, 8), cutoff=date(2019, 2, 28), meeting=date(2019, 3, 31), today=today, title="Accepted"))
    labels = _texts(svg, "#8a1c1c")
    assert {t for *_rest, t in labels} == {"Cut-off", "Meeting", "Today"}
    assert _apart(labels)
    ElementTree.fromstring(svg)


def test_the_dashboard_and_report_charts_hold_an_acceptance_long_after_the_round(app, reporting, create_user):
    """Received in time but reviewed years later: counted, and drawn at the end of the axis."""
    from datetime import datetime, timezone

    from tests.helpers import login
    from tracker.core.db import clock_at
    from tracker.extensions import db
    from tracker.progress import operations
    from tracker.progress.models import Confidentiality, ImplementationStatus

    with app.app_context():
        author, reviewer = reporting._user("focal_point", "FRA"), reporting._user("secretariat")
        with clock_at(datetime(2019, 2, 10, 9, tzinfo=timezone.utc)):
            update = operations.create_update(reporting._assignment("FRA", "I.3"), author, claimed_status=ImplementationStatus.in_progress,
                                              narrative="Started.", confidentiality=Confidentiality.committee)
            operations.submit_update(update, author)
        with clock_at(datetime(2026, 11, 30, 9, tzinfo=timezone.utc)):
            operations.accept_update(update, reviewer, assessed_status=ImplementationStatus.in_progress)
        db.session.commit()
    client = app.test_client()
    login(client, create_user("secretariat"))
    for url in ("/reports/", "/reports/progress-report"):
        html = client.get(url).get_data(as_text=True)
        svg = html[html.index('id="' + ("dash" if url == "/reports/" else "r") + '-timeline-title"') - 400:]
        svg = svg[svg.index("<svg"):svg.index("</svg>") + 6]
        months = [t for _x, _y, _a, t in _texts(svg, "#1b1b1b") if not t.isdigit()]
        assert months and not any(m.endswith("26") for m in months) and _apart(_texts(svg, "#1b1b1b"))
        assert "1 in all" in svg
