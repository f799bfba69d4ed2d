"""Every route × every role × own and other entity (SECURITY.md 11, 12, 15, 16).

Each route of the app has an expectation here; a new route without one fails the suite.
The focal point belongs to France (FRA); "other" objects belong to Nigeria (NGA). Another
entity's objects answer 404, so their existence is not revealed. Lists and exports are checked
by content in the domains' own tests.
"""

import io

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from tests.access import ROLES, everyone, only, roles, signed_in
from tests.api import access_routes as api_routes
from tests.exports import access_routes as exports_routes
from tests.helpers import csrf_token, login
from tests.reports import access_routes as reports_routes
from tracker.accounts.models import User
from tracker.extensions import db

B = "/briefings/ctc-2018-10-08"


# endpoint: [(method, url, {role: expected status})]; placeholders name objects made below.
ROUTES = {
    "static": [("GET", "/static/tracker.css", everyone(200))],
    "progress.status_stylesheet": [("GET", "/status.css", everyone(200))],
    "catalogue.index": [("GET", "/", everyone(302))],
    "catalogue.briefing": [("GET", B, everyone(200))],
    "catalogue.session": [("GET", f"{B}/sessions/I", everyone(200))],
    "catalogue.item": [("GET", f"{B}/items/I.3", everyone(200))],
    "catalogue.summary": [("GET", f"{B}/summary", everyone(200))],
    "accounts.login": [("GET", "/login", everyone(200))],
    "accounts.logout": [("POST", "/logout", signed_in(302))],
    "accounts.account": [("GET", "/account", signed_in(200))],
    "accounts.sign_out_everywhere": [("POST", "/account/sign-out-everywhere", signed_in(302))],
    "tokens.create": [("POST", "/account/tokens", signed_in(302))],
    "tokens.revoke": [("POST", "/account/tokens/999/revoke", signed_in(404))],
    "accounts.redeem": [("GET", "/account/link/not-a-real-token", everyone(404))],
    "accounts.users": [("GET", "/admin/users", only("admin"))],
    "accounts.invite": [("GET", "/admin/users/invite", only("admin"))],
    "accounts.edit_user": [("GET", "/admin/users/{user}", only("admin"))],
    "accounts.set_active": [("POST", "/admin/users/{user}/reactivate", only("admin", ok=302))],
    "accounts.issue_reset": [("POST", "/admin/users/{user}/reset", only("admin"))],
    "progress.home": [("GET", "/home", signed_in(302))],
    "progress.worklist": [("GET", "/worklist", only("focal_point"))],
    "progress.assignment": [
        ("GET", "/assignments/{own_assignment}", roles(focal_point=200, secretariat=200, auditor=200)),
        ("GET", "/assignments/{other_assignment}", roles(focal_point=404, secretariat=200, auditor=200)),
    ],
    "progress.set_due": [("POST", "/assignments/{own_assignment}/due", only("secretariat", ok=302))],
    "progress.new_update": [
        ("GET", "/assignments/{own_assignment}/updates/new", only("focal_point")),
        ("GET", "/assignments/{other_assignment}/updates/new", only("focal_point", ok=404)),
    ],
    "progress.update": [
        ("GET", "/updates/{own_draft}", roles(focal_point=200, secretariat=404, auditor=404)),
        ("GET", "/updates/{other_draft}", roles(focal_point=404, secretariat=404, auditor=404)),
        ("GET", "/updates/{other_submitted}", roles(focal_point=404, secretariat=200, auditor=200)),
    ],
    "progress.edit_update": [
        ("GET", "/updates/{own_draft}/edit", only("focal_point")),
        ("GET", "/updates/{other_draft}/edit", only("focal_point", ok=404)),
    ],
    "progress.transition": [
        ("POST", "/updates/{other_submitted}/withdraw", only("focal_point", ok=404)),
        ("POST", "/updates/{other_draft}/submit", only("focal_point", ok=404)),
    ],
    "progress.review": [("POST", "/updates/{other_submitted}/review", only("secretariat", ok=400))],
    "progress.evidence": [("GET", "/evidence/{other_evidence}", roles(focal_point=404, secretariat=200, auditor=200))],
    "progress.review_queue": [("GET", "/review", roles(focal_point=403, secretariat=200, auditor=200))],
    "progress.rounds": [("GET", "/rounds", only("secretariat"))],
    "progress.edit_round": [("GET", "/rounds/1", only("secretariat"))],
    "progress.spreadsheet": [("GET", "/worklist/spreadsheet", only("focal_point"))],
    "progress.spreadsheet_upload": [("GET", "/worklist/spreadsheet/upload", only("focal_point"))],
    # Nothing uploaded yet: the focal point is sent back to the upload form.
    "progress.spreadsheet_confirm": [("POST", "/worklist/spreadsheet/confirm", only("focal_point", ok=302))],
}
ROUTES.update(reports_routes.ROUTES)
ROUTES.update(exports_routes.ROUTES)
ROUTES.update(api_routes.ROUTES)
SIGNING_OUT = {"accounts.logout", "accounts.sign_out_everywhere"}


def test_every_route_has_an_expectation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(ROUTES), "add the new routes to ROUTES with what each role may do"


@pytest.fixture
def objects(app, create_user, reporting):
    target = create_user("focal_point", "NGA", email="target@example.org")
    pdf = FileStorage(stream=io.BytesIO(b"%PDF-1.4 evidence"), filename="report.pdf")
    made = {
        "own_assignment": reporting.assignment("FRA", "I.3"),
        "other_assignment": reporting.assignment("NGA", "I.3"),
        "own_draft": reporting.update("FRA", "I.4"),
        "other_draft": reporting.update("NGA", "I.4"),
        "other_submitted": reporting.update("NGA", "I.5", "submitted", upload=pdf),
    }
    from tracker.progress.models import Evidence

    with app.app_context():
        made["user"] = db.session.scalar(select(User.id).filter_by(email=target))
        made["other_evidence"] = db.session.scalar(select(Evidence.id).where(Evidence.stored_name.is_not(None)))
    for domain in (reports_routes, exports_routes, api_routes):
        made.update(domain.objects(app, reporting))
    return made


@pytest.fixture
def as_role(app, create_user):
    def client_for(role):
        client = app.test_client()
        if role != "anonymous":
            login(client, create_user(role, "FRA"))
        return client

    return client_for


def cases():
    for endpoint, entries in ROUTES.items():
        for method, url, expected in entries:
            yield endpoint, method, url, expected


@pytest.mark.parametrize("role", ROLES)
def test_matrix(as_role, objects, role):
    client = as_role(role)
    failures = []
    # Reads first, then writes; each way of signing out gets a session of its own.
    for endpoint, method, url, expected in sorted(cases(), key=lambda case: case[1] == "POST"):
        url = url.format(**objects)
        browser = as_role(role) if endpoint in SIGNING_OUT else client
        if method == "GET":
            response = browser.get(url)
        else:
            response = browser.post(url, data={"csrf_token": csrf_token(browser, "/login")})
        response.close()
        if response.status_code != expected[role]:
            failures.append(f"{method} {url}: {response.status_code}, expected {expected[role]}")
        headers = response.headers
        if "frame-ancestors 'none'" not in headers.get("Content-Security-Policy", "") or headers.get("X-Content-Type-Options") != "nosniff":
            failures.append(f"{method} {url}: security headers missing")
        if role != "anonymous" and not url.startswith(("/static/", "/api/")) and response.status_code == 200:
            if headers.get("Cache-Control") != "no-store":
                failures.append(f"{method} {url}: a signed-in page without Cache-Control: no-store")
    assert failures == []


@pytest.mark.parametrize("role", ROLES)
def test_state_changing_requests_without_a_csrf_token_are_refused(as_role, objects, role):
    client = as_role(role)
    for _, method, url, _ in cases():
        if method == "POST" and not url.startswith("/api/"):  # the API takes bearer tokens, never cookies
            response = client.post(url.format(**objects))
            assert response.status_code == 400, url


def test_get_never_changes_state(app, as_role, objects):
    from tracker.audit.models import AuditEvent

    with app.app_context():
        before = db.session.scalar(select(db.func.max(AuditEvent.seq)))
    for role in ROLES:
        client = as_role(role)
        with app.app_context():
            before = db.session.scalar(select(db.func.max(AuditEvent.seq)))
        for _, method, url, _ in cases():
            if method == "GET":
                client.get(url.format(**objects)).close()
        with app.app_context():
            assert db.session.scalar(select(db.func.max(AuditEvent.seq))) == before, role
