"""The OpenAPI document against the running code: generated requests, validated responses.

Schemathesis drives the app in process with requests made from the document (valid and
invalid), as a focal point with a token, and checks every response: no 5xx, status codes and
bodies as documented.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tracker.api.openapi import document


def test_the_document_lists_every_api_route_and_is_valid(app):
    spec = document(app)
    assert spec["openapi"].startswith("3.1")
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    assert len(spec["paths"]) == len(routes)
    for operations in spec["paths"].values():
        for operation in operations.values():
            assert operation["responses"] and operation["summary"]


@pytest.fixture(params=["focal_point", "secretariat", "auditor"])
def api_schema(request, app, token_for, reporting):
    reporting.update("FRA", "I.4")  # something to read and change
    reporting.update("FRA", "I.5", "submitted")  # something to review
    _, headers = token_for(request.param, "FRA")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return schema, headers


def test_no_server_errors_and_responses_match_the_document(api_schema):
    schema, headers = api_schema
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True)
        @given(case=operation.as_strategy())
        def check(case):
            case.headers = {**(case.headers or {}), **headers}
            case.call_and_validate()

        try:
            check()
        except Exception as exc:  # collect, to report every operation at once
            failures.append(f"{operation.label}: {exc}")
    assert failures == []
