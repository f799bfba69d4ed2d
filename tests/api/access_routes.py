"""The API's routes in the access matrix (tests/test_access_matrix.py), browsed with session cookies.

The API never accepts the session cookie: without a bearer token only the public documents
answer. What each role may do with a token is in tests/api/test_api_matrix.py.
"""

from tests.access import everyone

ROUTES: dict = {
    "api.catalogue": [("GET", "/api/v1/catalogue", everyone(200))],
    "api.openapi": [("GET", "/api/v1/openapi.json", everyone(200))],
    "api.assignments": [("GET", "/api/v1/assignments", everyone(401))],
    "api.assignment": [("GET", "/api/v1/assignments/{own_assignment}", everyone(401))],
    "api.create_update": [("POST", "/api/v1/assignments/{own_assignment}/updates", everyone(401))],
    "api.update": [("GET", "/api/v1/updates/{own_draft}", everyone(401))],
    "api.patch_update": [],
    "api.transition": [("POST", "/api/v1/updates/{own_draft}/submit", everyone(401))],
    "api.review": [("POST", "/api/v1/updates/{other_submitted}/review", everyone(401))],
    "api.events": [("GET", "/api/v1/events", everyone(401))],
}


def objects(app, reporting) -> dict:
    return {}
