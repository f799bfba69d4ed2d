"""Timelines and their verifiable exports (issue: auditor timelines)."""

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.helpers import login
from tracker.audit.models import AuditEvent
from tracker.extensions import db

VERIFY = Path(__file__).resolve().parents[2] / "scripts" / "verify_export.py"
WORLD = "Мир · 世界 · العالم"


@pytest.fixture
def history(reporting):
    """Progress by France and Nigeria, with text in several scripts."""
    return {
        "fra": reporting.update("FRA", "I.3", "accepted", narrative=f"France: {WORLD}", confidentiality="public"),
        "nga": reporting.update("NGA", "II.1", "returned", narrative="=HYPERLINK(\"http://evil.example\",\"click\")"),
        "nga_draft": reporting.update("NGA", "III.4", narrative="Nigeria's private draft"),
    }


def reader(app, create_user, role, entity="FRA"):
    client = app.test_client()
    login(client, create_user(role, entity))
    return client


def verify(path):
    return subprocess.run([sys.executable, str(VERIFY), str(path)], capture_output=True, text=True)


def test_the_auditor_sees_every_event_and_a_focal_point_only_theirs(app, create_user, history):
    auditor = reader(app, create_user, "auditor").get("/timeline").get_data(as_text=True)
    assert "update.accepted" in auditor and "update.returned" in auditor
    focal = reader(app, create_user, "focal_point", "FRA")
    page = focal.get("/timeline").get_data(as_text=True)
    assert "update.accepted" in page and "update.returned" not in page
    rows = list(csv.DictReader(io.StringIO(focal.get("/timeline/export.csv").get_data(as_text=True).lstrip("\ufeff"))))
    with app.app_context():
        from tracker.catalogue.models import Entity

        fra = db.session.scalar(select(Entity.id).filter_by(code="FRA"))
    events = [r for r in rows if r["seq"] != "#manifest"]
    assert events and all(r["entity_id"] == str(fra) for r in events)
    assert "Nigeria" not in focal.get("/timeline/export.jsonl").get_data(as_text=True)


def test_drafts_never_show_their_text(app, create_user, history):
    body = reader(app, create_user, "auditor").get("/timeline/export.jsonl").get_data(as_text=True)
    assert "Nigeria's private draft" not in body and "content_sha256" in body


@pytest.mark.parametrize(("query", "present", "absent"), [
    ("kind=update.returned", "update.returned", "update.accepted"),
    ("item=I.3", "update.accepted", "update.returned"),
    ("session=II", "update.returned", "update.accepted"),
    ("entity=NGA", "update.returned", "update.accepted"),
    ("date_from=2000-01-01&date_to=2000-12-31", "No event matches", "update.accepted"),
    ("date_from=yesterday", "were ignored", "Traceback"),
])
def test_filters(app, create_user, history, query, present, absent):
    page = reader(app, create_user, "auditor").get(f"/timeline?{query}").get_data(as_text=True)

    def shown(text):
        return f"<code>{text}</code>" if text.startswith("update.") else text

    assert shown(present) in page and shown(absent) not in page


def test_keyset_pagination_walks_every_event_once(app, create_user, history):
    client = reader(app, create_user, "auditor")
    with app.app_context():
        expected = set(db.session.scalars(select(AuditEvent.seq)))
    seen, url = [], "/timeline"
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += [int(n) for n in re.findall(r"<tr>\s*<td>(\d+)</td>", page)]
        match = re.search(r'href="(/timeline\?before=\d+[^"]*)"', page)
        url = match.group(1).replace("&amp;", "&") if match else None
    assert sorted(seen) == sorted(expected) and len(seen) == len(set(seen))


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "xlsx"])
def test_exports_verify_offline_and_a_changed_row_does_not(app, create_user, history, tmp_path, fmt):
    response = reader(app, create_user, "auditor").get(f"/timeline/export.{fmt}")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    path = tmp_path / f"timeline.{fmt}"
    path.write_bytes(response.data)
    response.close()
    result = verify(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "complete chain" in result.stdout

    tampered = tmp_path / f"tampered.{fmt}"
    if fmt == "xlsx":
        workbook = load_workbook(path)
        sheet = workbook["events"]
        header = [c.value for c in sheet[1]]
        sheet.cell(row=3, column=header.index("kind") + 1, value="update.forged")
        workbook.save(tampered)
    else:
        text = path.read_text(encoding="utf-8")
        tampered.write_text(text.replace("update.returned", "update.accepted", 1), encoding="utf-8")
    result = verify(tampered)
    assert result.returncode == 1 and "NOT VERIFIED" in result.stdout and "event" in result.stdout


def test_a_filtered_export_verifies_row_by_row(app, create_user, history, tmp_path):
    response = reader(app, create_user, "auditor").get("/timeline/export.csv?entity=FRA")
    path = tmp_path / "fra.csv"
    path.write_bytes(response.data)
    result = verify(path)
    assert result.returncode == 0 and "every row verifies on its own" in result.stdout


def test_events_stored_with_loose_json_still_export_canonical_verifiable_rows(app, create_user, history, tmp_path):
    """Databases written before JSON columns were stored canonically hold data text with spaces
    and unsorted keys; exports pass stored text through, so such rows must be canonicalized."""
    from sqlalchemy import JSON, String, cast, insert, type_coerce

    from tracker.audit.models import AuditHead, chain_hash
    from tracker.core.db import utcnow

    data = {"note": "a: b, c", "b": 1, "a": [1, 2]}
    with app.app_context():
        head = db.session.get(AuditHead, 1)
        when = utcnow()
        payload = {"seq": head.seq + 1, "occurred_at": when.isoformat(), "actor_id": None, "actor_label": "system",
                   "actor_role": None, "kind": "legacy.event", "target_type": None, "target_id": None, "entity_id": None,
                   "assignment_id": None, "recommendation_id": None, "data": data}
        loose = type_coerce(json.dumps(data), String)  # json.dumps' defaults: ", ", ": ", keys as given
        stored = loose if db.engine.dialect.name == "sqlite" else cast(loose, JSON)
        event_hash = chain_hash(head.hash, payload)
        db.session.execute(insert(AuditEvent).values(
            {**payload, "occurred_at": when, "data": stored, "prev_hash": head.hash, "hash": event_hash}))
        head.seq, head.hash = head.seq + 1, event_hash
        db.session.commit()
    text = reader(app, create_user, "auditor").get("/timeline/export.csv").data.decode("utf-8")
    row = next(r for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff"))) if r["kind"] == "legacy.event")
    assert row["data"] == '{"a":[1,2],"b":1,"note":"a: b, c"}'
    path = tmp_path / "timeline.csv"
    path.write_text(text, encoding="utf-8")
    assert verify(path).returncode == 0


def test_event_data_is_stored_as_the_text_its_hash_covers(app, history):
    from sqlalchemy import Text, cast

    from tracker.audit.models import canonical_json

    with app.app_context():
        for stored, data in db.session.execute(select(cast(AuditEvent.data, Text), AuditEvent.data)):
            assert stored == canonical_json(data)


def test_no_formula_injection_and_scripts_survive(app, create_user, history, reporting):
    from tracker.accounts import operations
    from tracker.accounts.models import Role
    from tracker.catalogue.models import Entity

    with app.app_context():
        fra = db.session.scalar(select(Entity).filter_by(code="FRA"))
        operations.create_user("=cmd|' /C calc'!A0@example.org", "=SUM(A1:A9)", Role.focal_point, fra)
        db.session.commit()
    client = reader(app, create_user, "auditor")
    text = client.get("/timeline/export.csv").data.decode("utf-8")
    assert text.startswith("\ufeff")
    for cells in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells), cells
    assert WORLD in text

    response = client.get("/timeline/export.xlsx")
    workbook = load_workbook(io.BytesIO(response.data))
    response.close()
    cells = [cell for row in workbook["events"].iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)
    assert any(WORLD in str(cell.value) for cell in cells)
    assert WORLD in client.get("/timeline/export.jsonl").get_data(as_text=True)


def test_the_command_line_export_matches_and_verifies(app, cli, history, tmp_path):
    result = cli.invoke(args=["export", "timeline", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    path = tmp_path / "cli.jsonl"
    path.write_bytes(result.stdout_bytes)
    assert verify(path).returncode == 0
    manifest = json.loads(result.stdout_bytes.decode().strip().splitlines()[-1])["manifest"]
    with app.app_context():
        from tracker.audit.queries import head

        assert (manifest["head_seq"], manifest["head_hash"]) == head()


@pytest.mark.parametrize("args", [["--format", "pdf"], ["--format", "csv", "--from", "last week"], ["--format", "csv", "--as", "nobody@example.org"]])
def test_the_command_line_refuses_bad_input(cli, args):
    result = cli.invoke(args=["export", "timeline", *args])
    assert result.exit_code != 0
