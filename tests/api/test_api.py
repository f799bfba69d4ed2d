"""The JSON API: tokens, scope, a whole report cycle, and bad input answered as JSON."""

import json

import pytest
from sqlalchemy import func, select

from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.progress.models import ProgressUpdate


def call(client, method, url, headers=None, body=None, **kwargs):
    if body is not None:
        kwargs["data"] = body if isinstance(body, (str, bytes)) else json.dumps(body)
        kwargs["content_type"] = "application/json"
    response = client.open(url, method=method, headers=headers or {}, **kwargs)
    return response.status_code, response.get_json(silent=True)


def test_a_whole_report_cycle(app, client, token_for, reporting):
    _, focal = token_for("focal_point", "FRA")
    _, secretariat = token_for("secretariat")
    _, auditor = token_for("auditor")
    assignment = reporting.assignment("FRA", "III.7")

    status, created = call(client, "POST", f"/api/v1/assignments/{assignment}/updates", focal,
                           {"status": "implemented", "narrative": "Connected to iARMS.", "evidence_urls": ["https://example.org/iarms"], "confidentiality": "public"})
    assert status == 201 and created["state"] == "draft"
    update = created["id"]
    assert call(client, "GET", f"/api/v1/updates/{update}", secretariat)[0] == 404  # a draft stays with its entity

    assert call(client, "POST", f"/api/v1/updates/{update}/submit", focal, {"version": created["version"]})[0] == 200
    status, returned = call(client, "POST", f"/api/v1/updates/{update}/review", secretariat, {"decision": "return", "comment": "Add the date."})
    assert status == 200 and returned["state"] == "returned" and returned["return_comment"] == "Add the date."
    status, patched = call(client, "PATCH", f"/api/v1/updates/{update}", focal, {"version": returned["version"], "narrative": "Connected to iARMS on 2 January 2019."})
    assert status == 200 and patched["narrative"].endswith("2019.")
    assert call(client, "POST", f"/api/v1/updates/{update}/submit", focal)[0] == 200
    status, accepted = call(client, "POST", f"/api/v1/updates/{update}/review", secretariat,
                            {"decision": "accept", "assessed_status": "partially_implemented", "comment": "Only the customs are connected."})
    assert status == 200 and accepted["assessed_status"] == "partially_implemented" and accepted["status"] == "implemented"

    status, detail = call(client, "GET", f"/api/v1/assignments/{assignment}", focal)
    assert detail["official_status"] == "partially_implemented"
    assert detail["history"][0]["claimed_status"] == "implemented"

    status, page = call(client, "GET", f"/api/v1/events?assignment={assignment}", auditor)
    assert status == 200 and [e["kind"] for e in page["items"]][:2] == ["update.accepted", "update.submitted"]
    response = client.get("/api/v1/events", headers={**auditor, "Accept": "application/x-ndjson"})
    lines = response.get_data(as_text=True).strip().splitlines()
    assert response.mimetype == "application/x-ndjson" and "manifest" in json.loads(lines[-1])


def test_focal_points_see_their_entity_only(app, client, token_for, reporting):
    _, focal = token_for("focal_point", "FRA")
    other = reporting.update("NGA", "I.3", "submitted")
    items, after = [], 0
    while after is not None:
        status, page = call(client, "GET", f"/api/v1/assignments?limit=200&after={after}", focal)
        items += page["items"]
        after = page["next_after"]
    assert items and {i["entity"] for i in items} == {"FRA"}
    assert call(client, "GET", "/api/v1/assignments?entity=NGA", focal)[1]["items"] == []
    assert call(client, "GET", f"/api/v1/updates/{other}", focal)[0] == 404
    assert call(client, "GET", f"/api/v1/assignments/{reporting.assignment('NGA', 'I.3')}", focal)[0] == 404
    assert call(client, "POST", f"/api/v1/updates/{other}/withdraw", focal)[0] == 404


def test_revocation_and_deactivation_take_effect_at_the_next_request(app, client, token_for, cli):
    email, headers = token_for("auditor")
    assert call(client, "GET", "/api/v1/assignments", headers)[0] == 200
    token_id = cli.invoke(args=["tokens", "list", email]).output.split("\t")[0]
    assert cli.invoke(args=["tokens", "revoke", token_id]).exit_code == 0
    status, body = call(client, "GET", "/api/v1/assignments", headers)
    assert status == 401 and "revoked" in body["error"]["message"]
    email, headers = token_for("auditor")
    assert cli.invoke(args=["users", "deactivate", email]).exit_code == 0
    assert call(client, "GET", "/api/v1/assignments", headers)[0] == 401


def test_the_cli_shows_a_token_once_and_stores_its_hash(app, cli, create_user):
    email = create_user("auditor")
    result = cli.invoke(args=["tokens", "create", email, "--name", "national system"])
    token = result.output.strip().splitlines()[-1]
    assert result.exit_code == 0 and token.startswith("ctc_")
    with app.app_context():
        from tracker.api.models import ApiToken

        assert token not in db.session.scalar(select(ApiToken.token_hash))
    assert token not in cli.invoke(args=["tokens", "list", email]).output


@pytest.mark.parametrize(("headers", "status"), [
    ({}, 401),
    ({"Authorization": "Bearer ctc_not-a-real-token"}, 401),
    ({"Authorization": "Basic dXNlcjpwYXNz"}, 401),
])
def test_missing_or_bad_tokens(client, headers, status):
    code, body = call(client, "GET", "/api/v1/assignments", headers)
    assert code == status and body["error"]["status"] == status


def test_roles_are_enforced(client, token_for, reporting):
    update = reporting.update("FRA", "I.3", "submitted")
    _, admin = token_for("admin")
    _, auditor = token_for("auditor")
    _, focal = token_for("focal_point", "FRA")
    assert call(client, "GET", "/api/v1/assignments", admin)[0] == 403
    assert call(client, "POST", f"/api/v1/updates/{update}/review", auditor, {"decision": "return", "comment": "x"})[0] == 403
    assert call(client, "POST", f"/api/v1/updates/{update}/review", focal, {"decision": "return", "comment": "x"})[0] == 403
    assert call(client, "GET", "/api/v1/events", focal)[0] == 403


@pytest.mark.parametrize(("body", "status", "field"), [
    ("{not json", 400, None),
    ({"status": "done"}, 422, "status"),
    ({"status": "in_progress", "narrative": 12}, 422, "narrative"),
    ({"status": "in_progress", "colour": "blue"}, 422, "colour"),
    ({"status": "in_progress", "evidence_urls": ["javascript:alert(1)"]}, 422, "evidence_urls"),
    ({"status": "in_progress", "narrative": "x" * 20_001}, 422, "narrative"),
    ({"status": "in_progress", "narrative": "bell \u0007"}, 422, "narrative"),
])
def test_bad_bodies_change_nothing(app, client, token_for, reporting, body, status, field):
    _, focal = token_for("focal_point", "FRA")
    assignment = reporting.assignment("FRA", "I.3")
    with app.app_context():
        events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    code, answer = call(client, "POST", f"/api/v1/assignments/{assignment}/updates", focal, body)
    assert code == status and answer["error"]["message"]
    assert answer["error"].get("field") == field
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProgressUpdate)) == 0
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_illegal_transitions_and_stale_versions_answer_409(client, token_for, reporting):
    _, focal = token_for("focal_point", "FRA")
    _, secretariat = token_for("secretariat")
    update = reporting.update("FRA", "I.3")
    assert call(client, "POST", f"/api/v1/updates/{update}/withdraw", focal)[0] == 409
    assert call(client, "POST", f"/api/v1/updates/{update}/review", secretariat, {"decision": "return", "comment": "x"})[0] == 404  # a draft
    status, body = call(client, "PATCH", f"/api/v1/updates/{update}", focal, {"version": 99, "narrative": "late"})
    assert status == 409 and "Someone else" in body["error"]["message"]
    assert call(client, "PATCH", f"/api/v1/updates/{update}", focal, {"narrative": "no version"})[0] == 422
    status, body = call(client, "POST", f"/api/v1/assignments/{reporting.assignment('FRA', 'I.3')}/updates", focal, {"status": "in_progress"})
    assert status == 409  # one open update per assignment


def test_implemented_needs_evidence_to_submit(client, token_for, reporting):
    _, focal = token_for("focal_point", "FRA")
    update = reporting.update("FRA", "I.3", claimed="implemented", links=())
    status, body = call(client, "POST", f"/api/v1/updates/{update}/submit", focal)
    assert status == 422 and body["error"]["field"] == "evidence_links"


def test_the_catalogue_is_public_and_matches_the_cli(client, cli):
    status, document = call(client, "GET", "/api/v1/catalogue")
    assert status == 200 and document == json.loads(cli.invoke(args=["catalogue", "export"]).output)


def test_unknown_api_addresses_answer_json(client):
    status, body = call(client, "GET", "/api/v1/nothing-here")
    assert status == 404 and body["error"]["status"] == 404


def test_session_cookies_do_not_authenticate_the_api(app, client, create_user):
    from tests.helpers import login

    login(client, create_user("auditor"))
    assert call(client, "GET", "/api/v1/assignments")[0] == 401


def test_the_account_page_creates_shows_once_and_revokes_tokens(app, client, create_user):
    import re

    from tests.helpers import login, submit

    login(client, create_user("auditor"))
    page = submit(client, "/account/tokens", {"name": "national system"}, page="/account").get_data(as_text=True)
    token = re.search(r'value="(ctc_[^"]+)"', page).group(1)
    api = app.test_client()
    assert api.get("/api/v1/assignments", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    account = client.get("/account").get_data(as_text=True)
    assert "national system" in account and token not in account
    token_id = re.search(r'/account/tokens/(\d+)/revoke', account).group(1)
    submit(client, f"/account/tokens/{token_id}/revoke", page="/account")
    assert api.get("/api/v1/assignments", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_nobody_revokes_another_persons_token(app, client, create_user, token_for, cli):
    from tests.helpers import login, submit

    owner, headers = token_for("auditor")
    token_id = cli.invoke(args=["tokens", "list", owner]).output.split("\t")[0]
    login(client, create_user("secretariat"))
    assert submit(client, f"/account/tokens/{token_id}/revoke", page="/account").status_code == 404
    assert client.application.test_client().get("/api/v1/assignments", headers=headers).status_code == 200
