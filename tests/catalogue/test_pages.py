"""Public pages: no login, provenance on every item page, nothing unescaped."""

import html

import pytest
from sqlalchemy import select, update

from tracker.catalogue import catalogue_file
from tracker.catalogue.models import Recommendation
from tracker.extensions import db

BRIEFING = "/briefings/ctc-2018-10-08"
CODES = [item.code for item in catalogue_file.load(catalogue_file.Path(__file__).resolve().parents[2] / "seed").items]


def test_home_leads_to_the_briefing(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(BRIEFING)


def test_briefing_lists_every_session_with_its_item_count(client):
    page = client.get(BRIEFING).get_data(as_text=True)
    for title in ("Introduction", "Introductory session", "Session I", "Session II", "Session III", "Follow-up"):
        assert title in page
    assert "<main" in page and 'lang="en"' in page


@pytest.mark.parametrize("code", CODES)
def test_item_page_shows_its_quote_highlighted_in_its_paragraph(client, app, code):
    response = client.get(f"{BRIEFING}/items/{code}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    with app.app_context():
        item = db.session.scalar(select(Recommendation).filter_by(code=code))
        quote, paragraph = item.source_quote, item.paragraph
    marked = page.split("<mark>")[1].split("</mark>")[0]
    assert " ".join(html.unescape(marked).split()) == " ".join(quote.split())
    assert f"summary#p{paragraph}" in page


def test_session_page_lists_its_items(client):
    page = client.get(f"{BRIEFING}/sessions/I").get_data(as_text=True)
    for code in ("I.1", "I.2", "I.3", "I.4", "I.5", "I.6"):
        assert f"/items/{code}" in page
    assert "/items/II.1" not in page


def test_summary_has_an_anchor_per_paragraph_linking_to_its_items(client):
    page = client.get(f"{BRIEFING}/summary").get_data(as_text=True)
    for number in range(1, 28):
        assert f'id="p{number}"' in page
    p16 = page.split('id="p16"')[1].split('id="p17"')[0]
    for code in ("I.3", "I.4", "I.5", "I.6"):
        assert f"/items/{code}" in p16


@pytest.mark.parametrize(
    "url", [f"{BRIEFING}/items/X.9", f"{BRIEFING}/sessions/IX", "/briefings/unknown", "/briefings/unknown/summary"]
)
def test_unknown_things_answer_404_with_a_page(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "There is nothing at this address" in response.get_data(as_text=True)


def test_text_is_escaped(client, app):
    with app.app_context():
        db.session.execute(update(Recommendation).filter_by(code="I.1").values(text='"><script>alert(1)</script>'))
        db.session.commit()
    page = client.get(f"{BRIEFING}/items/I.1").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_retired_items_leave_the_lists_but_keep_their_page(client, app):
    from tracker.core.db import utcnow

    with app.app_context():
        db.session.execute(update(Recommendation).filter_by(code="I.5").values(retired_at=utcnow()))
        db.session.commit()
    assert "/items/I.5" not in client.get(f"{BRIEFING}/sessions/I").get_data(as_text=True)
    page = client.get(f"{BRIEFING}/items/I.5")
    assert page.status_code == 200 and "retired" in page.get_data(as_text=True)
