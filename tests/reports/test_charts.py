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
