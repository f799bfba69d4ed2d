"""Every kind of page is valid HTML: the Nu HTML Checker (vnu.jar) finds no error in any of them.

The pages are fetched with the test client as the roles that see them, with updates in every
state, a frozen report and several accounts, and checked together in one run of the checker
(it takes seconds to start). The checker is the npm package ``vnu-jar``: from VNU_JAR, or
installed with npm into a cache folder outside the repository; it needs Java. Without either
the test skips and says why.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.helpers import csrf_token, login, submit

B = "/briefings/ctc-2018-10-08"
VNU_PACKAGE = "vnu-jar@26"
VNU_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tracker-vnu"
# A page the checker must fault: it proves the run checks what it is given.
BROKEN = '<!doctype html><html lang="en"><head><title>x</title></head><body><p id="a"></p><p id="a"></p></body></html>'


@pytest.fixture(scope="session")
def vnu() -> list[str]:
    """The command that runs the Nu HTML Checker."""
    java = shutil.which("java")
    if java is None:
        pytest.skip("no Java to run the Nu HTML Checker (apt-get install default-jre-headless)")
    configured = os.environ.get("VNU_JAR")
    if configured:
        if not os.path.isfile(configured):
            pytest.skip(f"VNU_JAR names {configured}, which is not a file")
        return [java, "-jar", configured]
    jar = VNU_CACHE / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    if not jar.is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("the Nu HTML Checker is not available: set VNU_JAR to vnu.jar, or install node and npm")
        # --ignore-scripts: the package's install script only fetches a Java, and Java is here.
        command = [npm, "install", "--prefix", str(VNU_CACHE), "--no-audit", "--no-fund", "--ignore-scripts", VNU_PACKAGE]
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
        if done.returncode != 0 or not jar.is_file():
            pytest.skip(f"could not install {VNU_PACKAGE} with npm into {VNU_CACHE}: {done.stderr.strip()[-500:]}")
    return [java, "-jar", str(jar)]


def check(vnu: list[str], files: list[Path]) -> dict[str, list[dict]]:
    """Run the checker once over the files; return each file's errors (by file name)."""
    done = subprocess.run([*vnu, "--errors-only", "--format", "json", *map(str, files)], capture_output=True, text=True, timeout=600, check=False)
    try:
        messages = json.loads(done.stderr)["messages"]
    except (ValueError, KeyError):
        raise AssertionError(f"the checker did not report in JSON (exit {done.returncode}): {done.stderr[-2000:]}") from None
    found: dict[str, list[dict]] = {}
    for message in messages:
        if message["type"] in ("error", "non-document-error"):
            found.setdefault(Path(message.get("url", "?")).name, []).append(message)
    return found


def describe(name: str, messages: list[dict]) -> str:
    lines = [f"{name}: {len(messages)} error(s)"]
    for message in messages[:8]:
        lines.append(f"  line {message.get('lastLine', '?')}: {message['message']}  [{(message.get('extract') or '').strip()[:120]}]")
    if len(messages) > 8:
        lines.append(f"  … and {len(messages) - 8} more")
    return "\n".join(lines)


def read(response, status: int | tuple[int, ...], what: str) -> str:
    """Return the page's HTML, checking it answered with ``status`` (or one of them)."""
    html = response.get_data(as_text=True)
    response.close()
    assert response.status_code in (status if isinstance(status, tuple) else (status,)), f"{what}: {response.status_code}"
    return html


@pytest.fixture
def pages(app, create_user, reporting):
    """Return [(name, html)]: every kind of page, as each role that sees it, in the states people meet."""
    from tracker.accounts.models import User
    from tracker.catalogue.models import ReportingRound
    from tracker.extensions import db
    from tracker.reports.operations import freeze_report

    draft = reporting.update("FRA", "I.4")
    returned = reporting.update("FRA", "I.5", "returned")
    reporting.update("FRA", "I.6", "accepted", confidentiality="public")
    submitted = reporting.update("NGA", "I.5", "submitted")
    reporting.update("NGA", "I.6", "accepted", claimed="implemented", assessed="partially_implemented")
    own = reporting.assignment("FRA", "I.3")
    other = reporting.assignment("NGA", "I.3")
    for entity in ("NGA", "GBR", "UNODC"):
        create_user("focal_point", entity)
    with app.app_context():
        round_ = db.session.scalar(select(ReportingRound).order_by(ReportingRound.id))
        frozen = freeze_report(round_, reporting._user("secretariat"))
        db.session.commit()
        round_id, frozen_id = round_.id, frozen.id
        someone = db.session.scalar(select(User.id).where(User.role == "focal_point").order_by(User.id))

    wanted: dict[str, list[tuple[str, str, int]]] = {
        "anonymous": [
            ("briefing", B, 200), ("session", f"{B}/sessions/I", 200), ("item", f"{B}/items/I.6", 200),
            ("summary", f"{B}/summary", 200), ("login", "/login", 200), ("not-found", "/no-such-page", 404),
            ("link-invalid", "/account/link/not-a-real-token", 404),
        ],
        "focal_point": [
            ("account", "/account", 200), ("worklist", "/worklist", 200), ("assignment", f"/assignments/{own}", 200),
            ("new-update", f"/assignments/{own}/updates/new", 200), ("draft", f"/updates/{draft}", 200),
            ("edit-draft", f"/updates/{draft}/edit", 200), ("returned", f"/updates/{returned}", 200),
            ("edit-returned", f"/updates/{returned}/edit", 200), ("timeline-own", "/timeline", 200),
            ("spreadsheet-upload", "/worklist/spreadsheet/upload", 200),
        ],
        "secretariat": [
            ("review-queue", "/review", 200), ("review-form", f"/updates/{submitted}", 200),
            ("assignment-due", f"/assignments/{other}", 200), ("rounds", "/rounds", 200), ("round", f"/rounds/{round_id}", 200),
            ("dashboard", "/reports/", 200), ("dashboard-as-of", "/reports/?as_of=2018-12-01&silent_days=10", 200),
            ("report-assignments", "/reports/assignments?entity=NGA", 200), ("grid", "/reports/grid?session=I", 200),
            ("report-item", "/reports/briefings/ctc-2018-10-08/items/I.5", 200),
            ("progress-report", "/reports/progress-report", 200), ("frozen", f"/reports/frozen/{frozen_id}", 200),
            ("timeline", "/timeline", 200),
        ],
        "auditor": [("auditor-update", f"/updates/{submitted}", 200), ("auditor-timeline", "/timeline?entity=NGA", 200)],
        "admin": [("users", "/admin/users", 200), ("invite", "/admin/users/invite", 200), ("edit-user", f"/admin/users/{someone}", 200)],
    }
    found: list[tuple[str, str]] = []
    for role, entries in wanted.items():
        client = app.test_client()
        if role != "anonymous":
            login(client, create_user(role, "FRA"))
        for name, url, status in entries:
            found.append((name, read(client.get(url), status, f"{url} as {role}")))
        # The states after a post: a form's errors, the one-time link, the spreadsheet preview.
        if role == "focal_point":
            response = client.get("/worklist/spreadsheet")
            workbook = load_workbook(io.BytesIO(response.data))
            response.close()
            buffer = io.BytesIO()
            workbook.save(buffer)
            buffer.seek(0)
            response = submit(client, "/worklist/spreadsheet/upload", {"spreadsheet": (buffer, "worklist.xlsx")}, content_type="multipart/form-data")
            found.append(("spreadsheet-preview", read(response, 200, "the spreadsheet preview")))
            response = submit(client, f"/assignments/{own}/updates/new", {"claimed_status": "implemented", "confidentiality": "entity", "submit": "1"})
            found.append(("update-form-errors", read(response, (200, 400), "an update submitted without evidence")))
        if role == "secretariat":
            response = client.post(f"/updates/{submitted}/review", data={"csrf_token": csrf_token(client, f"/updates/{submitted}")})
            found.append(("review-form-errors", read(response, 400, "a review without a decision")))
        if role == "admin":
            found.append(("invite-errors", read(submit(client, "/admin/users/invite", {}), (200, 400), "an empty invitation")))
            invitation = {"email": "chidi.okafor@example.org", "name": "Chidi Okafor", "role": "focal_point", "entity": "NGA"}
            html = read(submit(client, "/admin/users/invite", invitation), 200, "an invitation")
            found.append(("link-issued", html))
            link = re.search(r'value="https?://[^"/]+(/account/link/[^"]+)"', html).group(1)
            found.append(("set-password", read(app.test_client().get(link), 200, "the invitation link")))
    return found


def test_every_kind_of_page_is_valid_html(vnu, pages, tmp_path):
    files = []
    for number, (name, html) in enumerate(pages, start=1):
        files.append(tmp_path / f"{number:02d}-{name}.html")
        files[-1].write_text(html, encoding="utf-8")
    files.append(tmp_path / "known-broken.html")
    files[-1].write_text(BROKEN, encoding="utf-8")

    errors = check(vnu, files)
    assert "known-broken.html" in errors, "the checker did not fault a page with a duplicate id: it is not checking"
    del errors["known-broken.html"]
    if errors:
        pytest.fail("\n".join(describe(name, messages) for name, messages in sorted(errors.items())), pytrace=False)
