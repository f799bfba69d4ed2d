"""The spreadsheet round trip: download, fill in offline, upload, preview, confirm."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.helpers import login, submit
from tracker.extensions import db
from tracker.progress.models import ProgressUpdate, UpdateState

ARABIC = "تم إنشاء فرقة عمل وطنية"


@pytest.fixture
def focal(app, create_user):
    client = app.test_client()
    login(client, create_user("focal_point", "FRA"))
    return client


def download(client):
    response = client.get("/worklist/spreadsheet")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    response.close()
    return workbook


def fill(workbook, item, **values):
    sheet = workbook["items"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("item")].value == item:
            for name, value in values.items():
                row[header.index(name)].value = value
            return
    raise AssertionError(f"no row for {item}")


def upload(client, workbook, page="/worklist/spreadsheet/upload"):
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return submit(client, page, {"spreadsheet": (buffer, "worklist.xlsx")}, content_type="multipart/form-data")


def count_updates(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ProgressUpdate))


def test_the_round_trip_creates_drafts_after_a_preview(app, focal, reporting):
    draft_id = reporting.update("FRA", "I.4", narrative="Started online.")
    workbook = download(focal)
    items = [c.value for c in workbook["items"]["B"]][1:]
    assert "I.3" in items and len(items) == 19  # every item addressed to all Member States
    fill(workbook, "I.3", status="in_progress", narrative=ARABIC, evidence_links="https://example.org/a\nhttps://example.org/b", confidentiality="public")
    fill(workbook, "I.4", status="partially_implemented", narrative="Finished offline.")
    fill(workbook, "I.5", status="finished")  # not a status
    before = count_updates(app)

    preview = upload(focal, workbook)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "New draft" in page and "Updates your draft" in page and "is not one of" in page
    assert count_updates(app) == before  # nothing saved yet

    response = submit(focal, "/worklist/spreadsheet/confirm", page="/worklist/spreadsheet/upload")
    assert response.status_code == 302
    with app.app_context():
        updates = {u.assignment.recommendation.code: u for u in db.session.scalars(select(ProgressUpdate))}
        assert updates["I.3"].narrative == ARABIC and updates["I.3"].state is UpdateState.draft
        assert [e.url for e in updates["I.3"].current_evidence] == ["https://example.org/a", "https://example.org/b"]
        assert updates["I.4"].id == draft_id and updates["I.4"].narrative == "Finished offline."
        assert "I.5" not in updates


def test_confirming_twice_imports_once(app, focal):
    workbook = download(focal)
    fill(workbook, "I.3", status="in_progress", narrative="Once.")
    upload(focal, workbook)
    submit(focal, "/worklist/spreadsheet/confirm", page="/worklist/spreadsheet/upload")
    response = submit(focal, "/worklist/spreadsheet/confirm", page="/worklist/spreadsheet/upload")
    assert response.status_code == 302 and count_updates(app) == 1


def test_a_stale_file_changes_nothing(app, focal, reporting):
    workbook = download(focal)
    reporting.update("FRA", "I.3", "submitted")  # the item changes after the download
    fill(workbook, "I.6", status="in_progress", narrative="Offline work.")
    fill(workbook, "I.3", status="in_progress", narrative="Offline work.")
    before = count_updates(app)
    response = upload(focal, workbook)
    assert response.status_code == 400 and "Download a fresh copy" in response.get_data(as_text=True)
    assert count_updates(app) == before


def test_a_row_for_another_entity_changes_nothing(app, focal, reporting):
    workbook = download(focal)
    fill(workbook, "I.6", status="in_progress", narrative="Ours.")
    sheet = workbook["items"]
    other = reporting.assignment("NGA", "I.3")
    with app.app_context():
        from tracker.progress.models import Assignment

        version = db.session.get(Assignment, other).version
    sheet.append([other, "I.3", "", "", "", "", "", "in_progress", "Theirs.", "", "entity", version])
    response = upload(focal, workbook)
    assert response.status_code == 400 and "another entity" in response.get_data(as_text=True)
    assert count_updates(app) == 0


def test_another_entitys_file_is_refused(app, create_user, focal):
    nigeria = app.test_client()
    login(nigeria, create_user("focal_point", "NGA"))
    workbook = download(nigeria)
    fill(workbook, "I.3", status="in_progress", narrative="x")
    response = upload(focal, workbook)
    assert response.status_code == 400 and "belongs to another entity" in response.get_data(as_text=True)


@pytest.mark.parametrize("content", [b"not a spreadsheet", b"PK\x03\x04broken", b""])
def test_a_malformed_file_is_refused(app, focal, content):
    response = submit(focal, "/worklist/spreadsheet/upload", {"spreadsheet": (io.BytesIO(content), "worklist.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "not a worklist spreadsheet" in response.get_data(as_text=True) or "Choose the spreadsheet" in response.get_data(as_text=True)
    assert count_updates(app) == 0


def test_a_changed_header_is_refused(app, focal):
    workbook = download(focal)
    workbook["items"]["H1"] = "state"
    response = upload(focal, workbook)
    assert response.status_code == 400 and "columns" in response.get_data(as_text=True)


def test_formulas_in_the_download_are_text(app, focal, reporting):
    reporting.update("FRA", "I.4", narrative="=HYPERLINK(\"http://evil.example\")")
    workbook = download(focal)
    cells = [cell for row in workbook["items"].iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)
