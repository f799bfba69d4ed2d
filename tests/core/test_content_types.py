"""What a browser fetches besides the page: the icon it links, and downloads that name their type once."""

import io
import re

import pytest
from sqlalchemy import select

from tests.helpers import login, submit
from tracker.extensions import db


def test_every_page_links_an_icon_that_is_served(client):
    page = client.get("/login").get_data(as_text=True)
    link = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    assert link, "base.html links no icon: browsers ask for /favicon.ico and get a 404 on every page"
    icon = client.get(link.group(1))
    assert icon.status_code == 200
    assert icon.mimetype == "image/svg+xml"
    assert icon.data.lstrip().startswith(b"<svg")
    icon.close()


@pytest.mark.parametrize(
    ("role", "url", "content_type"),
    [
        ("anonymous", "/open-data/statuses.csv", "text/csv; charset=utf-8"),
        ("auditor", "/timeline/export.csv", "text/csv; charset=utf-8"),
        ("auditor", "/timeline/export.jsonl", "application/x-ndjson; charset=utf-8"),
    ],
)
def test_exports_name_their_charset_once(app, create_user, role, url, content_type):
    client = app.test_client()
    if role != "anonymous":
        login(client, create_user(role))
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    response.close()


@pytest.mark.parametrize(("filename", "content_type"), [("notes.txt", "text/plain; charset=utf-8"), ("figures.csv", "text/csv; charset=utf-8")])
def test_a_text_evidence_file_names_its_charset_once(app, create_user, reporting, filename, content_type):
    from tracker.progress.models import Evidence

    client = app.test_client()
    login(client, create_user("focal_point", "FRA"))
    assignment_id = reporting.assignment("FRA", "II.2")
    page = f"/assignments/{assignment_id}/updates/new"
    data = {"claimed_status": "in_progress", "narrative": "See the file.", "confidentiality": "entity", "save": "1",
            "evidence_file": (io.BytesIO("a,b\r\n1,2\r\n".encode()), filename)}
    assert submit(client, page, data, content_type="multipart/form-data").status_code == 302
    with app.app_context():
        evidence_id = db.session.scalar(select(Evidence.id).where(Evidence.filename == filename))
    download = client.get(f"/evidence/{evidence_id}")
    assert download.status_code == 200
    assert download.headers["Content-Type"] == content_type
    download.close()
