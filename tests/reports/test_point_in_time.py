"""The state as of a past day, computed from the audit history (the auditor's question)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from tests.helpers import login
from tracker.core.db import clock_at

ITEM_PAGE = "/reports/briefings/ctc-2018-10-08/items/I.3"


def at(day: str):
    return clock_at(datetime.fromisoformat(day + "T12:00:00").replace(tzinfo=timezone.utc))


@pytest.fixture
def story(reporting):
    """France: accepted implemented on 10 Nov 2018, then reassessed partially on 10 Jan 2019.
    Nigeria: returned on 5 Dec 2018, still awaiting resubmission."""
    with at("2018-11-10"):
        reporting.update("FRA", "I.3", "accepted", claimed="implemented")
    with at("2018-12-05"):
        reporting.update("NGA", "I.3", "returned")
    with at("2019-01-10"):
        reporting.update("FRA", "I.3", "accepted", claimed="partially_implemented")
    return reporting


@pytest.fixture
def auditor(client, create_user):
    login(client, create_user("auditor"))
    return client


@pytest.mark.parametrize(
    "day, france, nigeria_returned",
    [
        ("2018-11-09", "not_started", False),
        ("2018-11-10", "implemented", False),
        ("2018-12-31", "implemented", True),
        ("2019-01-10", "partially_implemented", True),
        ("2019-03-01", "partially_implemented", True),
    ],
)
def test_facts_as_of_a_day(app, story, day, france, nigeria_returned):
    from tracker.reports import history

    fra_id, nga_id = story.assignment("FRA", "I.3"), story.assignment("NGA", "I.3")
    with app.app_context():
        facts = history.facts_as_of(date.fromisoformat(day))
        by_key = {(f.entity_id, f.recommendation_id): f for f in facts.values()}
        fra, nga = facts[fra_id], facts[nga_id]
        assert fra.status == france
        assert (nga.open_state == "returned") is nigeria_returned
        assert len(by_key) == len(facts)


@pytest.mark.parametrize(
    "day, expected",
    [("2018-11-09", "No action reported"), ("2018-12-31", "Implemented"), ("2019-02-28", "Partially implemented")],
)
def test_the_item_page_as_of_a_day(story, auditor, day, expected):
    html = auditor.get(f"{ITEM_PAGE}?as_of={day}&status=").get_data(as_text=True)
    assert "Point in time" in html
    france = html.split("France</a>")[1].split("</tr>")[0]
    assert expected in france
    assert "Implemented" in auditor.get(f"{ITEM_PAGE}?as_of=2018-12-31&status=implemented").get_data(as_text=True)
    only = auditor.get(f"{ITEM_PAGE}?as_of=2018-11-09&status=implemented").get_data(as_text=True)
    assert "France</a>" not in only


def test_as_of_today_agrees_with_the_live_projection(app, story, reporting):
    """Two ways of computing the same figures: from the projection and from the history."""
    from tracker.core.db import today
    from tracker.reports import dashboard, history

    reporting.update("DEU", "III.3", "submitted")
    reporting.update("BRA", "II.1", "accepted", claimed="in_progress")
    with app.app_context():
        live, past = dashboard.live_dashboard(), history.dashboard_as_of(today())
        assert past.total.as_dict() == live.total.as_dict()
        assert [(s.code, t.as_dict()) for s, t in past.sessions] == [(s.code, t.as_dict()) for s, t in live.sessions]
        assert {e.code: t.as_dict() for e, t in past.entities} == {e.code: t.as_dict() for e, t in live.entities}
        assert {i: t.as_dict() for i, t in past.items.items()} == {i: t.as_dict() for i, t in live.items.items()}


def test_the_dashboard_as_of_the_cut_off(app, story, auditor):
    app.config["TODAY"] = "2019-03-15"
    before = auditor.get("/reports/?as_of=2018-11-09").get_data(as_text=True)
    assert "Readiness as it stood on" in before and "computed from the audit history" in before
    assert '<strong>0</strong> returned, awaiting resubmission' in before
    cutoff = auditor.get("/reports/?as_of=2019-02-28").get_data(as_text=True)
    assert '<strong>1</strong> returned, awaiting resubmission' in cutoff
    listed = auditor.get("/reports/assignments?flag=returned&as_of=2019-02-28").get_data(as_text=True)
    assert "1 assignment" in listed and "Nigeria" in listed and "Returned for changes" in listed
    accepted = auditor.get("/reports/assignments?status=implemented&as_of=2018-12-01").get_data(as_text=True)
    assert "1 assignment" in accepted and "France" in accepted


def test_a_due_date_is_taken_as_it_was(app, reporting):
    from tracker.extensions import db
    from tracker.progress import operations
    from tracker.progress.models import Assignment
    from tracker.reports import history

    assignment_id = reporting.assignment("FRA", "I.3")
    with app.app_context():
        secretariat = reporting._user("secretariat")
        with at("2019-01-05"):
            operations.set_assignment_due(db.session.get(Assignment, assignment_id), date(2018, 12, 1), actor=secretariat)
        db.session.commit()
        assert history.facts_as_of(date(2018, 12, 20), [assignment_id])[assignment_id].due == date(2019, 3, 31)
        assert history.facts_as_of(date(2019, 1, 6), [assignment_id])[assignment_id].due == date(2018, 12, 1)
        assert history.facts_as_of(date(2019, 1, 6), [assignment_id])[assignment_id].overdue(date(2019, 1, 6))
