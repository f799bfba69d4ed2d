"""``flask demo``: synthetic progress through the real operations, once, deterministic, marked."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from tests.conftest import dispose, make_app
from tracker.extensions import db


@pytest.fixture
def demo_url(databases):
    """A database made the way ``make run`` makes it: migrated and seeded in demo mode, today pinned."""
    from flask_migrate import upgrade

    from tests.conftest import SEED_DIR
    from tracker.catalogue import catalogue_file
    from tracker.catalogue.operations import seed_catalogue

    url = databases.new()
    app = make_app(url, TRACKER_MODE="demo", TODAY="2019-03-15")
    with app.app_context():
        upgrade()
        seed_catalogue(catalogue_file.load(SEED_DIR))
        db.session.commit()
    dispose(app)
    return url


@pytest.fixture
def demo_app(demo_url):
    app = make_app(demo_url, TRACKER_MODE="demo", TODAY="2019-03-15")
    yield app
    dispose(app)


def _story(app) -> list[tuple]:
    from tracker.catalogue.models import Entity, Recommendation
    from tracker.progress.models import Assignment, ProgressUpdate

    with app.app_context():
        rows = db.session.execute(
            select(Entity.code, Recommendation.code, ProgressUpdate.state, ProgressUpdate.claimed_status, ProgressUpdate.assessed_status, ProgressUpdate.created_at)
            .join(Assignment, Assignment.id == ProgressUpdate.assignment_id)
            .join(Entity, Entity.id == Assignment.entity_id)
            .join(Recommendation, Recommendation.id == Assignment.recommendation_id)
            .order_by(Entity.code, Recommendation.code, ProgressUpdate.id)
        )
        return [tuple(str(v) for v in row) for row in rows]


def test_demo_generates_progress_once_and_renews_only_passwords(demo_app):
    from tracker.accounts.models import User
    from tracker.audit.queries import verify
    from tracker.progress import demo
    from tracker.progress.models import ProgressUpdate, UpdateState

    runner = demo_app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "DEMO PROGRESS (synthetic" in first.output
    story = _story(demo_app)
    with demo_app.app_context():
        updates = db.session.scalars(select(ProgressUpdate)).all()
        states = {u.state for u in updates}
        assert states == {UpdateState.draft, UpdateState.submitted, UpdateState.accepted, UpdateState.returned}
        assert len({u.entity_id for u in updates}) >= 30
        start, end = demo.START, demo.END
        assert all(start <= u.created_at <= end and (u.reviewed_at is None or u.reviewed_at <= end) for u in updates)
        assert all(u.narrative.startswith("[Demo]") for u in updates)
        authors = db.session.scalars(select(User.email).where(User.id.in_({u.author_id for u in updates}))).all()
        assert all(a.endswith("@demo.invalid") for a in authors)
        assert verify().ok
        users = db.session.scalar(select(func.count()).select_from(User))
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "generated before; left as it is" in second.output
    assert _story(demo_app) == story
    with demo_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == users
    from tests.helpers import PASSWORD, login
    from tracker.accounts import operations
    from tracker.accounts.models import Role

    page = demo_app.test_client()
    with demo_app.app_context():
        operations.create_user("viewer@example.org", "Viewer", Role.auditor, password=PASSWORD)
        db.session.commit()
    login(page, "viewer@example.org")
    html = page.get("/reports/").get_data(as_text=True)
    assert "Demo data." in html and "in 16 days" in html
    assert "Demo data." in page.get("/reports/progress-report").get_data(as_text=True)


def test_demo_is_deterministic(demo_app, databases, template_database):
    other_url = databases.copy(template_database)
    other = make_app(other_url, TRACKER_MODE="demo")
    try:
        for app in (demo_app, other):
            assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
        assert _story(demo_app) == _story(other)
    finally:
        dispose(other)


def test_demo_refuses_a_database_with_real_reports(demo_app, reporting):
    from tracker.progress.models import ProgressUpdate

    Reporting = type(reporting)
    Reporting(demo_app).update("FRA", "I.3", "submitted")  # a real focal point's report
    result = demo_app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0 and "not written by demo accounts" in result.output
    with demo_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProgressUpdate)) == 1


def test_demo_is_refused_outside_demo_mode(cli):
    result = cli.invoke(args=["demo"])
    assert result.exit_code != 0 and "TRACKER_MODE=demo" in result.output


def test_the_clock_is_set_for_each_step(demo_app):
    from tracker.audit.models import AuditEvent

    assert demo_app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with demo_app.app_context():
        accepted = db.session.scalars(select(AuditEvent.occurred_at).where(AuditEvent.kind == "update.accepted")).all()
        assert accepted and min(accepted) >= datetime(2018, 10, 15, tzinfo=timezone.utc)
        assert max(accepted) <= datetime(2019, 3, 15, tzinfo=timezone.utc)
        assert len({a.date() for a in accepted}) > 40  # spread over the period, not one day


def test_in_demo_mode_new_events_take_the_clock_of_today(demo_app, reporting):
    """Pinned to 2019-03-15, an acceptance made now is stamped 2019-03-15, never with the real date."""
    from tracker.audit.models import AuditEvent
    from tracker.core.db import today, utcnow

    assert demo_app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    Reporting = type(reporting)
    Reporting(demo_app).update("FRA", "I.5", "accepted", claimed="in_progress")  # a demo visitor's acceptance
    with demo_app.app_context():
        assert today().isoformat() == "2019-03-15"
        assert datetime(2019, 3, 15, tzinfo=timezone.utc) <= utcnow() < datetime(2019, 3, 16, tzinfo=timezone.utc)
        newest = db.session.scalar(select(func.max(AuditEvent.occurred_at)))
        assert newest.date().isoformat() == "2019-03-15"
    from tests.helpers import PASSWORD, login
    from tracker.accounts import operations
    from tracker.accounts.models import Role

    with demo_app.app_context():
        operations.create_user("viewer@example.org", "Viewer", Role.auditor, password=PASSWORD)
        db.session.commit()
    page = demo_app.test_client()
    login(page, "viewer@example.org")
    for url in ("/reports/", "/reports/progress-report"):
        html = page.get(url).get_data(as_text=True)
        # Hashes and form tokens may hold any digits: only the page's words and dates are read.
        html = re.sub(r'[0-9a-f]{12,}|value="[^"]*"', "", html)
        assert "2026" not in html and "2025" not in html  # no date of the real clock anywhere, chart included


def test_a_restarted_demo_goes_on_from_its_newest_event(demo_url):
    """The clock starts at the pinned day, or at the newest stored event when that is later."""
    from tracker.audit.operations import record
    from tracker.core.db import clock_at, today, utcnow

    later = datetime(2019, 3, 17, 10, 0, tzinfo=timezone.utc)  # a demo that has been running for two days
    first = make_app(demo_url, TRACKER_MODE="demo", TODAY="2019-03-15")
    try:
        with first.app_context():
            with clock_at(later):
                record("demo.visit", data={"demo": True})
            db.session.commit()
    finally:
        dispose(first)
    restarted = make_app(demo_url, TRACKER_MODE="demo", TODAY="2019-03-15")
    try:
        with restarted.app_context():
            assert utcnow() >= later and today().isoformat() == "2019-03-17"
    finally:
        dispose(restarted)


@pytest.mark.parametrize("value", ["15/03/2019", "2019-02-30", "soon"])
def test_a_malformed_today_stops_the_start_with_a_message(database_url, value):
    from tracker.config import ConfigError

    with pytest.raises(ConfigError, match="TRACKER_TODAY must be a date written YYYY-MM-DD"):
        make_app(database_url, TODAY=value)
