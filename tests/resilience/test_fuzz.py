"""Bad input at scale: generated form posts and API bodies, and fuzzed parsers.

Whatever comes in, the answer is a clear refusal or a success, never a 500, and a refused
request changes nothing.
"""

import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select

from tests.conftest import SEED_DIR
from tests.helpers import csrf_token, login
from tracker.audit.models import AuditEvent
from tracker.extensions import db

FAST = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True)
TEXT = st.text(st.characters(codec="utf-8"), max_size=300)
CHOICE = st.one_of(st.sampled_from(["in_progress", "implemented", "not_applicable", "entity", "public", ""]), TEXT)


def events(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_generated_update_forms(app, create_user, reporting):
    client = app.test_client()
    login(client, create_user("focal_point", "FRA"))
    assignment = reporting.assignment("FRA", "I.3")
    page = f"/assignments/{assignment}/updates/new"
    token = csrf_token(client, page)

    @FAST
    @given(status=CHOICE, narrative=TEXT, links=TEXT, confidentiality=CHOICE, submit=st.booleans())
    def post(status, narrative, links, confidentiality, submit):
        before = events(app)
        form = {"csrf_token": token, "claimed_status": status, "narrative": narrative, "evidence_links": links, "confidentiality": confidentiality}
        if submit:
            form["submit"] = "1"
        response = client.post(page, data=form)
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 200:
            assert events(app) == before
        else:  # it was valid: take it back to a clean slate for the next example
            with app.app_context():
                from tracker.progress.models import Assignment, ProgressUpdate, UpdateState

                a = db.session.get(Assignment, assignment)
                update = db.session.get(ProgressUpdate, a.open_update_id)
                assert update.state in (UpdateState.draft, UpdateState.submitted)
                a.open_update = None
                db.session.flush()
                db.session.execute(ProgressUpdate.__table__.update().where(ProgressUpdate.id == update.id).values(state="accepted", assessed_status=update.claimed_status.value, reviewed_by_id=update.author_id, reviewed_at=update.updated_at, submitted_at=update.updated_at, assessment_reason="fuzz reset"))
                db.session.commit()

    post()


def test_generated_api_bodies(app, client, create_user, reporting):
    import json

    from tracker.accounts.queries import find_user
    from tracker.api.operations import create_token

    email = create_user("focal_point", "FRA")
    with app.app_context():
        token = create_token(find_user(email), "fuzz")[1]
        db.session.commit()
    update = reporting.update("FRA", "I.4")
    json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
                               lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3), max_leaves=8)

    @FAST
    @given(body=st.one_of(st.dictionaries(st.sampled_from(["version", "status", "narrative", "evidence_urls", "confidentiality", "x"]), json_values), json_values, TEXT))
    def patch(body):
        raw = body if isinstance(body, str) else json.dumps(body)
        response = client.patch(f"/api/v1/updates/{update}", data=raw, content_type="application/json", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code in (200, 400, 409, 422), (response.status_code, raw)
        assert response.get_json()["error" if response.status_code != 200 else "id"]

    patch()


@pytest.fixture
def seed_copy(tmp_path):
    target = tmp_path / "seed"
    shutil.copytree(SEED_DIR, target)
    return target


def test_the_catalogue_parser_fails_only_with_a_clear_error(seed_copy):
    from tracker.catalogue import catalogue_file

    original = (seed_copy / "catalogue.yaml").read_text(encoding="utf-8")

    @FAST
    @given(start=st.integers(0, len(original)), length=st.integers(0, 40), insert=TEXT)
    def mutate(start, length, insert):
        (seed_copy / "catalogue.yaml").write_text(original[:start] + insert + original[start + length:], encoding="utf-8")
        try:
            catalogue_file.load(seed_copy)
        except catalogue_file.CatalogueError as error:
            assert "catalogue.yaml" in str(error) or "member_states.yaml" in str(error) or "summary.txt" in str(error)

    mutate()


def test_the_spreadsheet_parser_fails_only_with_a_clear_error(app, create_user, tmp_path):
    from tracker.accounts.queries import find_user
    from tracker.progress import spreadsheet

    email = create_user("focal_point", "FRA")
    printable = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=300)  # what a cell can hold
    cells = st.one_of(st.none(), st.integers(-10, 10**12), printable, st.sampled_from(["in_progress", "FRA", spreadsheet.FORMAT]))

    @FAST
    @given(header=st.booleans(), rows=st.lists(st.lists(cells, max_size=13), max_size=6), junk=st.binary(max_size=200), as_junk=st.booleans())
    def read(header, rows, junk, as_junk):
        path = tmp_path / "upload.xlsx"
        if as_junk:
            path.write_bytes(b"PK\x03\x04" + junk)
        else:
            workbook = Workbook()
            sheet = workbook.active
            sheet.title = "items"
            if header:
                sheet.append(spreadsheet.HEADER)
            for row in rows:
                sheet.append(row)
            about = workbook.create_sheet("about")
            about.append(["format", spreadsheet.FORMAT])
            about.append(["entity", "FRA"])
            workbook.save(path)
        with app.app_context():
            try:
                spreadsheet.read(str(path), find_user(email))
            except spreadsheet.SpreadsheetError as error:
                assert error.message

    read()
