"""The event feed for generated clients: JSON pages keyed by seq, and the NDJSON stream as documented."""

import json

import jsonschema_rs
import pytest
import schemathesis
from sqlalchemy import select

from tests.api.test_api import call
from tracker.api.openapi import document
from tracker.audit.models import AuditEvent
from tracker.extensions import db


@pytest.fixture
def auditor(token_for, reporting):
    """An auditor's token, and a history: drafts, submissions, reviews in two entities."""
    reporting.update("FRA", "I.3", "accepted", confidentiality="public")
    reporting.update("NGA", "II.1", "returned")
    reporting.update("FRA", "III.4", "submitted")
    return token_for("auditor")[1]


def _all_seqs(app, where=None):
    with app.app_context():
        query = select(AuditEvent.seq).order_by(AuditEvent.seq)
        return list(db.session.scalars(query.where(where) if where is not None else query))


def _walk(client, url, headers):
    """Follow ``next`` from the first page to the last; check the Link header says the same."""
    seen, pages = [], 0
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.get_json()
        page = response.get_json()
        seen += [event["seq"] for event in page["items"]]
        assert response.headers.get("Link") == (f'<{page["next"]}>; rel="next"' if page["next"] else None)
        url, pages = page["next"], pages + 1
    return seen, pages


def test_chain_order_pages_walk_every_event_once(app, client, auditor):
    everything = _all_seqs(app)
    seen, pages = _walk(client, "/api/v1/events?after=0&limit=3", auditor)
    assert seen == everything and pages == -(-len(everything) // 3)


def test_newest_first_pages_walk_every_event_once(app, client, auditor):
    seen, _ = _walk(client, "/api/v1/events?limit=4", auditor)
    assert seen == _all_seqs(app)[::-1]


def test_the_next_page_keeps_the_filters_and_the_limit(app, client, auditor):
    from tracker.catalogue.models import Entity

    with app.app_context():
        france = db.session.scalar(select(Entity.id).filter_by(code="FRA"))
    status, page = call(client, "GET", "/api/v1/events?entity=FRA&after=0&limit=1", auditor)
    assert status == 200 and page["limit"] == 1 and page["next_after"] == page["items"][0]["seq"]
    assert "entity=FRA" in page["next"] and "limit=1" in page["next"] and f"after={page['next_after']}" in page["next"]
    seen, _ = _walk(client, "/api/v1/events?entity=FRA&after=0&limit=2", auditor)
    assert seen == _all_seqs(app, AuditEvent.entity_id == france)


def test_after_and_before_together_give_a_range_in_chain_order(app, client, auditor):
    everything = _all_seqs(app)
    low, high = everything[1], everything[-2]
    seen, _ = _walk(client, f"/api/v1/events?after={low}&before={high}&limit=2", auditor)
    assert seen == [seq for seq in everything if low < seq < high]


def test_the_default_page_is_bounded(app, client, auditor):
    from tests.audit.test_chain import add_events

    with app.app_context():
        add_events(110)
    total = len(_all_seqs(app))
    for url in ("/api/v1/events", "/api/v1/events?after=0"):
        status, page = call(client, "GET", url, auditor)
        assert status == 200 and page["limit"] == 100 and len(page["items"]) == 100 and page["next"]
    status, page = call(client, "GET", "/api/v1/events?after=0&limit=1000", auditor)
    assert len(page["items"]) == total and page["next"] is None


@pytest.mark.parametrize("query", ["limit=0", "limit=1001", "limit=ten", "after=-1", "before=x"])
def test_bad_paging_answers_422_naming_the_field(client, auditor, query):
    status, body = call(client, "GET", f"/api/v1/events?{query}", auditor)
    assert status == 422 and body["error"]["field"] == query.split("=")[0]


def test_the_json_pages_hold_what_the_stream_holds(app, client, auditor):
    items, url = [], "/api/v1/events?after=0&limit=5"
    while url:
        page = client.get(url, headers=auditor).get_json()
        items += page["items"]
        url = page["next"]
    lines = [json.loads(line) for line in client.get("/api/v1/events", headers={**auditor, "Accept": "application/x-ndjson"}).get_data(as_text=True).splitlines()]
    stream = [{k: v for k, v in line.items() if k not in ("entity_code", "item_code")} for line in lines[:-1]]
    assert [(e["seq"], e["hash"]) for e in items] == [(e["seq"], e["hash"]) for e in stream]
    assert lines[-1]["manifest"]["rows"] == len(items)


def _component_validator(spec, name):
    return jsonschema_rs.validator_for({"$ref": f"#/components/schemas/{name}", "components": spec["components"]})


def test_the_document_describes_the_stream_line_by_line(app, client, auditor):
    spec = document(app)
    schemathesis.openapi.from_dict(spec).validate()  # the OpenAPI 3.1 meta-schema
    success = spec["paths"]["/api/v1/events"]["get"]["responses"]["200"]
    line_schema = success["content"]["application/x-ndjson"]["schema"]
    assert line_schema == {"$ref": "#/components/schemas/EventStreamLine"}
    assert success["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/EventPage"}
    assert "Link" in success["headers"]
    parameters = {p["name"]: p["schema"] for p in spec["paths"]["/api/v1/events"]["get"]["parameters"]}
    assert parameters["limit"]["maximum"] == 1000 and {"after", "before"} <= set(parameters)

    response = client.get("/api/v1/events", headers={**auditor, "Accept": "application/x-ndjson"})
    lines = response.get_data(as_text=True).splitlines()
    assert response.mimetype == "application/x-ndjson" and len(lines) > 2
    any_line, event_line, manifest_line = (_component_validator(spec, n) for n in ("EventStreamLine", "EventLine", "ManifestLine"))
    for line in lines:
        any_line.validate(json.loads(line))
    for line in lines[:-1]:
        event_line.validate(json.loads(line))
        assert not manifest_line.is_valid(json.loads(line))
    manifest_line.validate(json.loads(lines[-1]))
    assert not event_line.is_valid(json.loads(lines[-1]))


def test_the_json_page_matches_its_documented_schema(app, client, auditor):
    validator = _component_validator(document(app), "EventPage")
    for url in ("/api/v1/events?after=0&limit=2", "/api/v1/events?limit=2", "/api/v1/events?after=999999"):
        validator.validate(client.get(url, headers=auditor).get_json())
