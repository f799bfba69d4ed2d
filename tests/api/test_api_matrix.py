"""Every API endpoint × every role with a token × own and other entity."""

import json

import pytest

from tests.access import ROLES

TOKEN_ROLES = [r for r in ROLES if r != "anonymous"]


def expect(**statuses):
    return {"focal_point": 403, "secretariat": 403, "auditor": 403, "admin": 403, **statuses}


# (method, url, body, {role: status}); the focal point is France's, "other" objects Nigeria's.
CASES = [
    ("GET", "/api/v1/catalogue", None, dict.fromkeys(TOKEN_ROLES, 200)),
    ("GET", "/api/v1/openapi.json", None, dict.fromkeys(TOKEN_ROLES, 200)),
    ("GET", "/api/v1/assignments", None, expect(focal_point=200, secretariat=200, auditor=200)),
    ("GET", "/api/v1/assignments/{own_assignment}", None, expect(focal_point=200, secretariat=200, auditor=200)),
    ("GET", "/api/v1/assignments/{other_assignment}", None, expect(focal_point=404, secretariat=200, auditor=200)),
    ("POST", "/api/v1/assignments/{other_assignment}/updates", {"status": "in_progress"}, expect(focal_point=404)),
    ("GET", "/api/v1/updates/{own_draft}", None, expect(focal_point=200, secretariat=404, auditor=404)),
    ("GET", "/api/v1/updates/{other_draft}", None, expect(focal_point=404, secretariat=404, auditor=404)),
    ("GET", "/api/v1/updates/{other_submitted}", None, expect(focal_point=404, secretariat=200, auditor=200)),
    ("PATCH", "/api/v1/updates/{other_draft}", {"version": 1, "narrative": "x"}, expect(focal_point=404)),
    ("POST", "/api/v1/updates/{other_submitted}/withdraw", None, expect(focal_point=404)),
    ("POST", "/api/v1/updates/{own_draft}/withdraw", None, expect(focal_point=409)),
    ("POST", "/api/v1/updates/{other_submitted}/review", {"decision": "accept"}, expect(secretariat=422)),
    ("GET", "/api/v1/events", None, expect(auditor=200)),
    ("POST", "/api/v1/assignments/{own_assignment}/updates", {"status": "in_progress"}, expect(focal_point=201)),
]


def test_every_api_endpoint_is_covered(app):
    covered = {(method, url.split("{")[0].rstrip("/")) for method, url, _, _ in CASES}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                prefix = rule.rule.split("<")[0].rstrip("/")
                assert any(m == method and u.startswith(prefix) for m, u in covered), (method, rule.rule)


@pytest.mark.parametrize("role", TOKEN_ROLES)
def test_api_matrix(client, token_for, reporting, role):
    objects = {
        "own_assignment": reporting.assignment("FRA", "I.3"),
        "other_assignment": reporting.assignment("NGA", "I.3"),
        "own_draft": reporting.update("FRA", "I.4"),
        "other_draft": reporting.update("NGA", "I.4"),
        "other_submitted": reporting.update("NGA", "I.5", "submitted"),
    }
    _, headers = token_for(role, "FRA")
    failures = []
    for method, url, body, expected in CASES:
        url = url.format(**objects)
        kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
        response = client.open(url, method=method, headers=headers, **kwargs)
        if response.status_code != expected[role]:
            failures.append(f"{method} {url}: {response.status_code}, expected {expected[role]}")
        response.close()
    assert failures == []
