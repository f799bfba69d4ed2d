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


def snapshot(app):
    """Everything an import could write: updates, audit events, and each assignment's version and last activity."""
    from tracker.audit.models import AuditEvent
    from tracker.progress.models import Assignment

    with app.app_context():
        updates = [(u.id, u.state, u.claimed_status, u.narrative, u.confidentiality, u.version, len(u.current_evidence))
                   for u in db.session.scalars(select(ProgressUpdate).order_by(ProgressUpdate.id))]
        assignments = [(a.id, a.version, a.last_activity_at)
                       for a in db.session.scalars(select(Assignment).where(Assignment.last_activity_at.is_not(None)).order_by(Assignment.id))]
        return updates, assignments, db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_an_untouched_download_writes_nothing_and_stays_valid(app, focal, reporting):
    reporting.update("FRA", "I.4", narrative="Our draft.")
    reporting.update("FRA", "I.5", "returned", narrative="Our returned update.", confidentiality="public")
    workbook = download(focal)
    before = snapshot(app)

    preview = upload(focal, workbook)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert page.count("Unchanged: matches what is saved") == 2
    assert "Updates your" not in page and "New draft" not in page
    assert "Nothing to import" in page and "/worklist/spreadsheet/confirm" not in page
    # Even a confirmation sent anyway writes nothing, not even an import event.
    submit(focal, "/worklist/spreadsheet/confirm", page="/worklist/spreadsheet/upload")
    assert snapshot(app) == before

    # The same earlier download is still good: a second upload is accepted, and its one new row imported.
    fill(workbook, "I.3", status="in_progress", narrative="Started after the download.")
    preview = upload(focal, workbook)
    assert preview.status_code == 200 and "New draft" in preview.get_data(as_text=True)
    assert submit(focal, "/worklist/spreadsheet/confirm", page="/worklist/spreadsheet/upload").status_code == 302
    with app.app_context():
        from tracker.audit.models import AuditEvent

        kinds = [e.kind for e in db.session.scalars(select(AuditEvent).where(AuditEvent.seq > before[2]).order_by(AuditEvent.seq))]
    assert kinds == ["update.created", "spreadsheet.imported"]
    updates, assignments, _ = snapshot(app)
    assert updates[:2] == before[0]  # the untouched draft and returned update, as they were
    assert set(before[1]) <= set(assignments)  # their assignments' versions and last activity too

    # And a third time: the imported row now matches too.
    preview = upload(focal, workbook)
    assert preview.status_code == 200 and preview.get_data(as_text=True).count("Unchanged: matches what is saved") == 3


def test_a_changed_returned_update_is_named_as_such(app, focal, reporting):
    update_id = reporting.update("FRA", "I.5", "returned", narrative="As returned.")
    reporting.update("FRA", "I.4", narrative="A draft.")
    workbook = download(focal)
    fill(workbook, "I.5", narrative="With the law's reference, as asked.")
    fill(workbook, "I.4", narrative="A draft, edited offline.")
    page = upload(focal, workbook).get_data(as_text=True)
    assert "Updates your returned update" in page and "Updates your draft" in page
    assert submit(focal, "/worklist/spreadsheet/confirm", page="/worklist/spreadsheet/upload").status_code == 302
    with app.app_context():
        update = db.session.get(ProgressUpdate, update_id)
        assert update.state is UpdateState.returned and update.narrative == "With the law's reference, as asked."


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Partially implemented", "partially_implemented"),
        ("  partially IMPLEMENTED\t", "partially_implemented"),
        ("partially_implemented", "partially_implemented"),
        ("IN_PROGRESS", "in_progress"),
        ("No action reported", "not_started"),
        ("not applicable", "not_applicable"),
    ],
)
def test_status_cells_take_the_names_shown_as_well_as_the_codes(app, focal, cell, expected):
    workbook = download(focal)
    fill(workbook, "I.3", status=cell, narrative="Some progress.", confidentiality=" Committee ")
    preview = upload(focal, workbook)
    assert preview.status_code == 200 and "New draft" in preview.get_data(as_text=True)
    submit(focal, "/worklist/spreadsheet/confirm", page="/worklist/spreadsheet/upload")
    with app.app_context():
        update = db.session.scalar(select(ProgressUpdate))
        assert update.claimed_status.value == expected and update.confidentiality.value == "committee"


def test_an_unknown_status_is_refused_naming_the_choices(app, focal):
    workbook = download(focal)
    fill(workbook, "I.3", status="Partly done", narrative="Some progress.")
    page = upload(focal, workbook).get_data(as_text=True)
    assert "Status “Partly done” is not one of" in page and "partially_implemented" in page
    assert "/worklist/spreadsheet/confirm" not in page


def test_the_preview_says_what_a_draft_lacks_before_it_can_be_submitted(app, focal):
    workbook = download(focal)
    fill(workbook, "I.3", status="in_progress")
    fill(workbook, "I.6", status="implemented", narrative="Done.")
    page = upload(focal, workbook).get_data(as_text=True)
    assert "Write a narrative before submitting" in page and "add at least one piece of evidence" in page
    submit(focal, "/worklist/spreadsheet/confirm", page="/worklist/spreadsheet/upload")
    assert count_updates(app) == 2  # drafts may be incomplete; only submitting needs more


def test_a_row_still_as_submitted_is_unchanged_but_a_changed_one_is_refused(app, focal, reporting):
    update_id = reporting.update("FRA", "I.4", narrative="Sent for review.")
    workbook = download(focal)
    with app.app_context():
        from tracker.accounts.queries import find_user
        from tracker.progress import operations

        operations.submit_update(db.session.get(ProgressUpdate, update_id), find_user("focal_point.fra.fixture@example.org"))
        db.session.commit()
    page = upload(focal, workbook).get_data(as_text=True)
    assert "Unchanged: matches what is saved" in page
    fill(workbook, "I.4", narrative="Changed offline meanwhile.")
    response = upload(focal, workbook)
    assert response.status_code == 400 and "Download a fresh copy" in response.get_data(as_text=True)
