"""Dashboard, readiness and the progress report."""

from __future__ import annotations

from flask import Blueprint

from tracker.reports.models import FrozenReport  # noqa: F401  (the frozen reports land with these views)

bp = Blueprint("reports", __name__)
