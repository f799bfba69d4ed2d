"""The reports domain's routes in the access matrix (tests/test_access_matrix.py).

ROUTES maps each endpoint to [(method, url, {role: expected status})]; urls may use the
placeholders the matrix makes (own_assignment, other_assignment, own_draft, other_draft,
other_submitted, other_evidence, user) and any that objects() adds.
"""

from tests.access import ROLES, everyone, only, roles, signed_in  # noqa: F401

ROUTES: dict = {}


def objects(app, reporting) -> dict:
    """Make what this domain's urls name; return {placeholder: value}."""
    return {}
