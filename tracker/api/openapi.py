"""Generate the OpenAPI 3.1 document from the API's views, their declarations and the schemas.

Nothing here is written by hand per endpoint, so the document cannot drift from the code.
"""

from __future__ import annotations

import re

from flask import Flask
from pydantic.json_schema import models_json_schema

from tracker.api import schemas
from tracker.core.access import PUBLIC, rule_for
from tracker.core.web import MAX_ID

_QUERY_TYPES = {
    "string": {"type": "string"},
    "integer": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
    "boolean": {"type": "string", "enum": ["true", "false"]},
    "date": {"type": "string", "format": "date"},
    "status": {"$ref": "#/components/schemas/ImplementationStatus"},
}
_ERRORS = {
    "400": "Malformed request or JSON",
    "401": "Missing, unknown or revoked token",
    "403": "Your role may not do this",
    "404": "Not found, or not yours to see",
    "409": "Not allowed in the current state, or a stale version",
    "422": "A field is invalid; the error names it",
}
_LOOSE = {
    "Catalogue": {"type": "object", "required": ["briefings", "entities", "rounds"]},
    "OpenAPI": {"type": "object"},
    # OpenAPI 3.1 has no item schema for streams (3.2's itemSchema): the stream's media type names the schema of one line.
    "EventStreamLine": {
        "description": "One line of the application/x-ndjson body, which is a sequence of such lines, each a JSON "
                       "object followed by a newline: every event (EventLine) in chain order, then one ManifestLine.",
        "oneOf": [{"$ref": "#/components/schemas/EventLine"}, {"$ref": "#/components/schemas/ManifestLine"}],
    },
}
_LINK = {
    "description": 'The next page, as <path?query>; rel="next" (RFC 8288); absent on the last page.',
    "schema": {"type": "string"},
}


def _components() -> dict:
    models = [
        schemas.UpdateCreate, schemas.UpdatePatch, schemas.Transition, schemas.Review, schemas.UpdateOut,
        schemas.AssignmentOut, schemas.AssignmentDetail, schemas.AssignmentPage, schemas.EventOut, schemas.EventPage,
        schemas.EventLine, schemas.ManifestLine, schemas.Error,
    ]
    _, definitions = models_json_schema(
        [(m, "validation" if issubclass(m, schemas.Body) else "serialization") for m in models],
        ref_template="#/components/schemas/{model}",
    )
    found = definitions.get("$defs", {})
    found.update(_LOOSE)
    return found


def _ref(model) -> dict:
    name = model if isinstance(model, str) else model.__name__
    return {"$ref": f"#/components/schemas/{name}"}


def _path(rule) -> tuple[str, list[dict]]:
    """Turn /updates/<int:update_id>/<any(submit, withdraw):action> into an OpenAPI path."""
    parameters = []

    def replace(match):
        converter, name = match.group(1) or "", match.group(2)
        schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID} if converter in ("int", "id") else {"type": "string"}
        if converter.startswith("any("):
            schema = {"type": "string", "enum": [v.strip() for v in converter[4:-1].split(",")]}
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
        return "{" + name + "}"

    path = re.sub(r"<(?:([^:<>]+):)?([a-z_]+)>", replace, rule.rule)
    return path, parameters


def document(app: Flask) -> dict:
    paths: dict = {}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        view = app.view_functions[rule.endpoint]
        spec = view.openapi
        path, parameters = _path(rule)
        parameters += [
            {"name": n, "in": "query", "required": False, "schema": t if isinstance(t, dict) else _QUERY_TYPES[t]}
            for n, t in spec["query"]
        ]
        content = {"application/json": {"schema": _ref(spec["response"])}}
        success = {"description": "Success", "content": content}
        if spec["ndjson"]:
            content["application/x-ndjson"] = {"schema": _ref(spec["ndjson"])}
            success["description"] = (
                f"Success: a page of JSON ({spec['response'].__name__}); with Accept: application/x-ndjson, "
                f"a stream of lines, each one JSON object ({spec['ndjson']})."
            )
        if spec["paged"]:
            success["headers"] = {"Link": _LINK}
        responses = {str(spec["status"]): success}
        with app.test_request_context():
            public = PUBLIC in (rule_for(rule.endpoint) or ())
        for code, text in _ERRORS.items():
            if public and code in ("401", "403", "409"):
                continue
            responses[code] = {"description": text, "content": {"application/json": {"schema": _ref(schemas.Error)}}}
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            operation = {
                "operationId": rule.endpoint.split(".", 1)[1] + ("" if method == "GET" else "_" + method.lower()),
                "summary": spec["summary"],
                "parameters": parameters,
                "responses": responses,
            }
            if not public:
                operation["security"] = [{"bearer": []}]
            if spec["body"] is not None:
                operation["requestBody"] = {
                    "required": spec["body"] is not schemas.Transition,
                    "content": {"application/json": {"schema": _ref(spec["body"])}},
                }
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "CTC recommendation follow-up tracker API",
            "version": "1",
            "description": "The same operations, permissions and audit as the web pages. Authenticate with a personal token: "
                           "Authorization: Bearer TOKEN (flask --app app tokens create EMAIL, or the account page).",
        },
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": _components(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
