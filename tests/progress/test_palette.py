"""One palette for the statuses: the stylesheet, the charts and the PDF take their colours from it."""

import re
from pathlib import Path

from tracker.progress.models import PALETTE
from tracker.reports.charts import status_bars

STATIC = Path(__file__).resolve().parents[2] / "tracker" / "static"


def test_every_page_links_the_status_stylesheet_made_from_the_palette(client):
    page = client.get("/briefings/ctc-2018-10-08").get_data(as_text=True)
    assert 'href="/status.css"' in page
    css = client.get("/status.css")
    assert css.mimetype == "text/css"
    text = css.get_data(as_text=True)
    for status, look in PALETTE.items():
        assert f".status-{status} {{ color: {look.ink}; }}" in text
        assert f".c-{status} {{ color: {look.ink};" in text
    assert ".c-implemented { color: #0b6b2f; background: #d9efe0; print-color-adjust: exact; }" in text


def test_no_stylesheet_defines_status_colours_of_its_own():
    for sheet in STATIC.glob("*.css"):
        assert not re.search(r"\.(status|c)-(%s)\b" % "|".join(PALETTE), sheet.read_text()), sheet.name


def test_charts_fill_and_outline_with_the_palette():
    svg = status_bars("t", [("France", {"implemented": 2, "in_progress": 1})], "Status")
    assert f'fill="{PALETTE["implemented"].fill}"' in svg
    assert f'stroke="{PALETTE["in_progress"].ink}"' in svg
