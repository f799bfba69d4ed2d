"""Every route × every role (SECURITY.md 11, 15, 16).

Each route of the app has an expectation here; a new route without one fails the suite.
Scope within a role (own or other entity) is tested with the objects themselves, in the
domains' own tests, where lists and exports are checked by content.
"""

import pytest
from sqlalchemy import select

from tests.helpers import csrf_token, login
from tracker.accounts.models import User
from tracker.extensions import db

ROLES = ["anonymous", "focal_point", "secretariat", "auditor", "admin"]
B = "/briefings/ctc-2018-10-08"


def everyone(status):
    return dict.fromkeys(ROLES, status)


def signed_in(status):
    return {"anonymous": 302, **dict.fromkeys(ROLES[1:], status)}


def only(*roles, ok=200):
    return {role: (ok if role in roles else 302 if role == "anonymous" else 403) for role in ROLES}


# endpoint: (method, url, {role: expected status}); {user} is a user id that exists.
ROUTES = {
    "static": ("GET", "/static/tracker.css", everyone(200)),
    "catalogue.index": ("GET", "/", everyone(302)),
    "catalogue.briefing": ("GET", B, everyone(200)),
    "catalogue.session": ("GET", f"{B}/sessions/I", everyone(200)),
    "catalogue.item": ("GET", f"{B}/items/I.3", everyone(200)),
    "catalogue.summary": ("GET", f"{B}/summary", everyone(200)),
    "accounts.login": ("GET", "/login", everyone(200)),
    "accounts.logout": ("POST", "/logout", signed_in(302)),
    "accounts.account": ("GET", "/account", signed_in(200)),
    "accounts.sign_out_everywhere": ("POST", "/account/sign-out-everywhere", signed_in(302)),
    "accounts.redeem": ("GET", "/account/link/not-a-real-token", everyone(404)),
    "accounts.users": ("GET", "/admin/users", only("admin")),
    "accounts.invite": ("GET", "/admin/users/invite", only("admin")),
    "accounts.edit_user": ("GET", "/admin/users/{user}", only("admin")),
    "accounts.set_active": ("POST", "/admin/users/{user}/reactivate", only("admin", ok=302)),
    "accounts.issue_reset": ("POST", "/admin/users/{user}/reset", only("admin")),
}


SIGNING_OUT = {"accounts.logout", "accounts.sign_out_everywhere"}


def test_every_route_has_an_expectation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(ROUTES), "add the new routes to ROUTES with what each role may do"


@pytest.fixture
def as_role(app, create_user):
    target = create_user("focal_point", "NGA", email="target@example.org")
    with app.app_context():
        target_id = db.session.scalar(select(User.id).filter_by(email=target))

    def client_for(role):
        client = app.test_client()
        if role != "anonymous":
            login(client, create_user(role))
        return client, target_id

    return client_for


@pytest.mark.parametrize("role", ROLES)
def test_matrix(as_role, role):
    client, target_id = as_role(role)
    failures = []
    # Reads first, then writes; each way of signing out gets a session of its own.
    order = sorted(ROUTES.items(), key=lambda r: r[1][0] == "POST")
    for endpoint, (method, url, expected) in order:
        url = url.format(user=target_id)
        browser = as_role(role)[0] if endpoint in SIGNING_OUT else client
        if method == "GET":
            response = browser.get(url)
        else:
            response = browser.post(url, data={"csrf_token": csrf_token(browser, "/login")})
        response.close()
        if response.status_code != expected[role]:
            failures.append(f"{method} {url}: {response.status_code}, expected {expected[role]}")
    assert failures == []


@pytest.mark.parametrize("role", ROLES)
def test_state_changing_requests_without_a_csrf_token_are_refused(as_role, role):
    client, target_id = as_role(role)
    for method, url, _ in ROUTES.values():
        if method == "POST":
            response = client.post(url.format(user=target_id))
            assert response.status_code == 400, url


def test_get_never_changes_state(app, as_role):
    from tracker.audit.models import AuditEvent

    client, target_id = as_role("admin")
    with app.app_context():
        before = db.session.scalar(select(db.func.max(AuditEvent.seq)))
    for method, url, _ in ROUTES.values():
        if method == "GET":
            client.get(url.format(user=target_id)).close()
    with app.app_context():
        assert db.session.scalar(select(db.func.max(AuditEvent.seq))) == before
