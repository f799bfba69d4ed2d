"""API fixtures: tokens for users of each role."""

import pytest


@pytest.fixture
def token_for(app, create_user):
    """Return a factory: (role, entity) -> (email, bearer headers)."""
    from tracker.accounts.queries import find_user
    from tracker.api import operations
    from tracker.extensions import db

    def make(role="focal_point", entity="FRA"):
        email = create_user(role, entity)
        with app.app_context():
            _, token = operations.create_token(find_user(email), "tests")
            db.session.commit()
        return email, {"Authorization": f"Bearer {token}"}

    return make
