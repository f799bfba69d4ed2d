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


def kinds(page):
    """The titles in the page's "What" column, in order."""
    return re.findall(r'<td class="what">([^<]+)</td>', page)


def test_the_auditor_sees_every_event_and_a_focal_point_only_theirs(app, create_user, history):
    auditor = kinds(reader(app, create_user, "auditor").get("/timeline").get_data(as_text=True))
    assert "Update accepted" in auditor and "Update returned for changes" in auditor
    focal = reader(app, create_user, "focal_point", "FRA")
    page = kinds(focal.get("/timeline").get_data(as_text=True))
    assert "Update accepted" in page and "Update returned for changes" not in page
    rows = list(csv.DictReader(io.StringIO(focal.get("/timeline/export.csv").get_data(as_text=True).lstrip("\ufeff"))))
    with app.app_context():
        from tracker.catalogue.models import Entity

        fra = db.session.scalar(select(Entity.id).filter_by(code="FRA"))
    events = [r for r in rows if r["seq"] != "#manifest"]
    assert events and all(r["entity_id"] == str(fra) for r in events)
    assert "Nigeria" not in focal.get("/timeline/export.jsonl").get_data(as_text=True)


def test_drafts_never_show_their_text(app, create_user, history):
    client = reader(app, create_user, "auditor")
    body = client.get("/timeline/export.jsonl").get_data(as_text=True)
    assert "Nigeria's private draft" not in body and "content_sha256" in body
    assert "Nigeria's private draft" not in client.get("/timeline").get_data(as_text=True)


@pytest.mark.parametrize(("query", "present", "absent"), [
    ("kind=update.returned", "Update returned for changes", "Update accepted"),
    ("item=I.3", "Update accepted", "Update returned for changes"),
    ("session=II", "Update returned for changes", "Update accepted"),
    ("entity=NGA", "Update returned for changes", "Update accepted"),
    ("date_from=2000-01-01&date_to=2000-12-31", None, "Update accepted"),
])
def test_filters(app, create_user, history, query, present, absent):
    page = reader(app, create_user, "auditor").get(f"/timeline?{query}").get_data(as_text=True)
    shown = kinds(page)
    assert (present in shown if present else "No event matches" in page) and absent not in shown


def test_the_kind_of_event_is_chosen_from_the_known_kinds_by_their_titles(app, create_user, history):
    page = reader(app, create_user, "auditor").get("/timeline?kind=update.accepted").get_data(as_text=True)
    chooser = page.split('name="kind"')[1].split("</select>")[0]
    assert '<option value="update.accepted" selected>Update accepted</option>' in chooser
    assert '<optgroup label="Progress updates">' in chooser and "Password reset link issued" in chooser


@pytest.mark.parametrize(("query", "message"), [
    ("date_from=yesterday", "“yesterday” is not a date: write it as year-month-day, such as 2019-01-31."),
    ("date_to=31/01/2019", "“31/01/2019” is not a date"),
    ("date_from=2019-02-01&date_to=2019-01-01", "The last day comes before the first."),
    ("kind=update.forged", "Choose a kind of event from the list."),
    ("entity=XYZ", "Not a valid choice"),
    ("assignment=abc", "<li>Assignment: Not a valid integer value.</li>"),
])
def test_a_filter_that_cannot_be_read_gets_a_message_and_the_page_still_renders(app, create_user, history, query, message):
    client = reader(app, create_user, "auditor")
    response = client.get(f"/timeline?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    assert 'aria-invalid="true"' in page or query.startswith("assignment=")  # a hidden field has nothing to mark
    assert "are not filtered by them" in page and "Update accepted" in kinds(page)
    for fmt in ("csv", "jsonl", "xlsx"):  # an export never silently drops a filter
        export = client.get(f"/timeline/export.{fmt}?{query}")
        assert export.status_code == 302 and "/timeline?" in export.headers["Location"]
    assert "Nothing was exported" in client.get(export.headers["Location"]).get_data(as_text=True)


def test_events_read_as_labelled_values_not_records(app, create_user, history, reporting):
    reporting.update("FRA", "I.4", "accepted", claimed="implemented", assessed="partially_implemented")
    page = reader(app, create_user, "auditor").get("/timeline?item=I.4").get_data(as_text=True)
    row = page.split('<td class="what">Update accepted</td>')[1].split("</tr>")[0]
    assert re.search(r"<dt>Claimed status</dt><dd><span class=\"status status-implemented\">.*?Implemented</span></dd>", row)
    assert re.search(r"<dt>Assessed status</dt><dd>.*?Partially implemented</span></dd>", row)
    assert re.search(r"<dt>Official status</dt><dd>.*?No action reported</span> → .*?Partially implemented</span></dd>", row)
    assert "<dt>Reason</dt><dd>The evidence supports a different status.</dd>" in row
    submitted = page.split('<td class="what">Update submitted for review</td>')[1].split("</tr>")[0]
    assert '<dt>Evidence</dt><dd><a href="https://example.org/law" rel="noopener noreferrer nofollow">https://example.org/law</a></dd>' in submitted
    assert "<dt>Who may read it</dt><dd>May be quoted in reports to the Committee</dd>" in submitted
    visible = re.sub(r"<[^>]+>", " ", row + submitted)
    for raw in ("not_started", "partially_implemented", "{&#39;", "{'", "None", "update.", "claimed_status", "'kind'"):
        assert raw not in visible, raw


def test_a_reason_that_is_absent_is_not_shown(app, create_user, history):
    page = reader(app, create_user, "auditor").get("/timeline?item=I.3").get_data(as_text=True)
    row = page.split('<td class="what">Update accepted</td>')[1].split("</tr>")[0]
    assert "Reason" not in row and "None" not in row


def test_people_show_by_name_role_and_entity(app, create_user, history):
    page = reader(app, create_user, "auditor").get("/timeline?kind=update.accepted").get_data(as_text=True)
    row = page.split('<td class="what">Update accepted</td>')[0].rsplit("<tr>", 1)[1]
    assert "Fixture secretariat" in row and "Committee secretariat" in row and "(secretariat)" not in row
    submitted = reader(app, create_user, "auditor").get("/timeline?kind=update.submitted&entity=FRA").get_data(as_text=True)
    who = submitted.split('<td class="what">')[0].rsplit("<tr>", 1)[1]
    assert "Fixture focal_point FRA" in who and "Focal point · France" in who and "focal_point</small>" not in who


def test_a_change_and_the_system_read_plainly(app, create_user, history):
    from datetime import date

    from tracker.accounts.models import User
    from tracker.progress.models import Assignment
    from tracker.progress.operations import set_assignment_due

    with app.app_context():
        actor = db.session.scalar(select(User).filter_by(role="secretariat"))
        assignment = db.session.scalars(select(Assignment)).first()
        set_assignment_due(assignment, date(2019, 3, 1), actor=actor)
        db.session.commit()
    page = reader(app, create_user, "auditor").get("/timeline").get_data(as_text=True)
    row = page.split('<td class="what">Due date changed</td>')[1].split("</tr>")[0]
    assert re.search(r"<dt>Due date</dt><dd>\d{4}-\d\d-\d\d → 2019-03-01</dd>", row)
    assert "The system" in page and "Catalogue loaded or updated" in kinds(page)


def test_every_kind_the_code_records_has_a_title():
    """Walk every ``record(...)`` call: a kind recorded without a title here would show raw."""
    import ast

    from tracker.accounts.models import TokenPurpose
    from tracker.exports.events import KINDS

    recorded = set()
    for path in (Path(__file__).resolve().parents[2] / "tracker").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "_EVENTS" for t in node.targets):
                recorded |= {v.value for v in node.value.values}  # the workflow's moves: workflow.log(..., _EVENTS[action], ...)
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in ("record", "_record", "log"):
                kind = node.args[0 if getattr(node.func, "id", None) == "record" else 1] if node.args else None
                if isinstance(kind, ast.JoinedStr):
                    assert ast.unparse(kind) == "f'account.{purpose.value}_issued'", ast.unparse(kind)
                    recorded |= {f"account.{purpose.value}_issued" for purpose in TokenPurpose}
                elif kind is not None:
                    recorded |= {n.value for n in ast.walk(kind) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
            if isinstance(node, (ast.keyword, ast.arg)) and (getattr(node, "arg", None) == "everywhere_reason"):
                if isinstance(node, ast.keyword) and isinstance(node.value, ast.Constant):
                    recorded.add(node.value.value)
            if isinstance(node, ast.FunctionDef):
                for arg, default in zip(node.args.kwonlyargs, node.args.kw_defaults):
                    if arg.arg == "everywhere_reason" and isinstance(default, ast.Constant):
                        recorded.add(default.value)
    assert {"update.accepted", "account.signed_out", "account.signed_out_everywhere", "account.reset_issued"} <= recorded
    assert sorted(recorded - set(KINDS)) == []


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
