"""Fixtures of the reports tests."""

from __future__ import annotations

import pytest

BEFORE_THE_CUT_OFF = "2019-02-15"  # the round jsm-2019 closes at the end of 2019-02-28 (UTC)


@pytest.fixture
def in_round(app):
    """Pin today inside the seeded round, so that updates made now are received by its cut-off."""
    app.config["TODAY"] = BEFORE_THE_CUT_OFF
    return app
