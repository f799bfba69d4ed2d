"""The exports domain's routes in the access matrix (tests/test_access_matrix.py).

ROUTES maps each endpoint to [(method, url, {role: expected status})]; urls may use the
placeholders the matrix makes (own_assignment, other_assignment, own_draft, other_draft,
other_submitted, other_evidence, user) and any that objects() adds.
"""

from tests.access import everyone, roles

READERS = roles(focal_point=200, secretariat=200, auditor=200)

ROUTES: dict = {
    "exports.timeline": [("GET", "/timeline", READERS)],
    "exports.timeline_export": [
        ("GET", "/timeline/export.csv", READERS),
        ("GET", "/timeline/export.jsonl", READERS),
        ("GET", "/timeline/export.xlsx", READERS),
    ],
    "exports.open_data": [("GET", "/open-data/statuses.json", everyone(200)), ("GET", "/open-data/statuses.csv", everyone(200))],
}


def objects(app, reporting) -> dict:
    """Make what this domain's urls name; return {placeholder: value}."""
    return {}
