"""Evidence files: size limit, type by content, generated names, served as attachments (SECURITY.md 25)."""

import io
import os
import zipfile

import pytest
from sqlalchemy import func, select

from tests.helpers import login, submit
from tracker.extensions import db
from tracker.progress.models import Evidence


@pytest.fixture
def focal(app, create_user):
    client = app.test_client()
    login(client, create_user("focal_point", "FRA"))
    return client


def upload(focal, reporting, filename, content, **extra):
    assignment_id = reporting.assignment("FRA", "II.2")
    data = {"claimed_status": "in_progress", "narrative": "See the attached report.", "confidentiality": "entity",
            "evidence_file": (io.BytesIO(content), filename), "save": "1", **extra}
    return submit(focal, f"/assignments/{assignment_id}/updates/new", data, page=f"/assignments/{assignment_id}/updates/new",
                  content_type="multipart/form-data")


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(("filename", "content"), [
    ("report.pdf", b"%PDF-1.7\nreal enough"),
    ("photo.png", b"\x89PNG\r\n\x1a\n...."),
    ("decree.docx", docx_bytes()),
    ("notes.txt", "Записка: 笔记 ملاحظة".encode()),
])
def test_accepted_files_are_stored_under_generated_names(app, focal, reporting, filename, content):
    response = upload(focal, reporting, filename, content)
    assert response.status_code == 302
    with app.app_context():
        item = db.session.scalar(select(Evidence))
        assert item.filename == filename and item.stored_name != filename
        path = os.path.join(app.config["EVIDENCE_DIR"], item.stored_name)
        with open(path, "rb") as stored:
            assert stored.read() == content
        assert not path.startswith(os.path.join(app.root_path, "static"))
        evidence_id = item.id
    download = focal.get(f"/evidence/{evidence_id}")
    assert download.status_code == 200 and download.data == content
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    download.close()


@pytest.mark.parametrize(("filename", "content"), [
    ("report.pdf", b"<html><script>alert(1)</script></html>"),  # HTML renamed .pdf
    ("notes.txt", b"<!DOCTYPE html><html><body>x</body></html>"),
    ("page.html", b"<html></html>"),
    ("decree.docx", b"PK\x03\x04 not really a zip"),
    ("tool.exe", b"MZ\x90\x00"),
    ("empty.pdf", b""),
])
def test_disguised_or_unlisted_files_are_refused(app, focal, reporting, filename, content):
    response = upload(focal, reporting, filename, content)
    assert response.status_code == 200
    assert "not an accepted document" in response.get_data(as_text=True) or "empty" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0


def test_oversize_files_are_refused(app, focal, reporting):
    app.config["MAX_EVIDENCE_BYTES"] = 1024
    response = upload(focal, reporting, "big.pdf", b"%PDF-" + b"0" * 2000)
    assert response.status_code == 200 and "larger than" in response.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = 1500
    response = upload(focal, reporting, "big.pdf", b"%PDF-" + b"0" * 4000)
    assert response.status_code == 413


def test_path_names_are_harmless(app, focal, reporting):
    assert upload(focal, reporting, "../../etc/passwd.pdf", b"%PDF-1.4 x").status_code == 302
    with app.app_context():
        item = db.session.scalar(select(Evidence))
        assert item.filename == "passwd.pdf"
        assert os.path.dirname(os.path.join(app.config["EVIDENCE_DIR"], item.stored_name)) == app.config["EVIDENCE_DIR"]


def test_evidence_can_be_removed_from_a_draft_and_is_only_marked(app, focal, reporting):
    update_id = reporting.update("FRA", "I.6", links=("https://example.org/a", "https://example.org/b"))
    with app.app_context():
        first = db.session.scalars(select(Evidence).order_by(Evidence.id)).first().id
    response = submit(focal, f"/updates/{update_id}/edit", {"claimed_status": "in_progress", "narrative": "x",
                      "confidentiality": "entity", "version": "1", "remove_evidence": str(first), "save": "1"})
    assert response.status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(Evidence).order_by(Evidence.id)).all()
        assert len(rows) == 2 and rows[0].removed_at is not None and rows[1].removed_at is None
