"""The cut-off rule: an update submitted by the end of a round's due day (UTC) belongs to that
round; a later one belongs to the next round. Every page that counts by round applies it."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from tests.helpers import login
from tracker.catalogue.models import ReportingRound, round_for
from tracker.core.db import clock_at
from tracker.extensions import db

UTC = timezone.utc
CUT_OFF = "February 28, 2019"  # the seeded round jsm-2019 is due 2019-02-28 (English long date)


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "submitted, belongs",
    [
        ("2019-02-28T23:59:59.999999", "first"),
        ("2019-03-01T00:00:00", "second"),
        ("2019-01-01T00:00:00", "first"),
        ("2019-06-30T23:59:59", "second"),
        ("2019-07-01T00:00:00", None),
    ],
)
def test_an_update_belongs_to_the_first_round_whose_cut_off_it_met(app, submitted, belongs):
    rounds = {"first": ReportingRound(id=1, due=date(2019, 2, 28)), "second": ReportingRound(id=2, due=date(2019, 6, 30))}
    found = round_for(_moment(submitted), list(rounds.values()))
    assert found is rounds.get(belongs)


def _walk(app, reporting, entity, item, *, submitted, accepted, claimed="implemented", narrative="Done."):
    """Create and submit an update at ``submitted``, accept it at ``accepted`` (UTC moments)."""
    from tracker.progress import operations
    from tracker.progress.models import Assignment, Confidentiality, ImplementationStatus

    with app.app_context():
        author, reviewer = reporting._user("focal_point", entity), reporting._user("secretariat")
        with clock_at(_moment(submitted)):
            update = operations.create_update(
                reporting._assignment(entity, item), author, claimed_status=ImplementationStatus(claimed), narrative=narrative,
                confidentiality=Confidentiality.committee, links=["https://example.org/evidence"],
            )
            operations.submit_update(update, author)
        with clock_at(_moment(accepted)):
            operations.accept_update(update, reviewer, assessed_status=ImplementationStatus(claimed))
        db.session.commit()
        return update.id, db.session.get(Assignment, update.assignment_id).accepted_round_id


def test_the_projection_counts_an_update_in_the_round_it_was_submitted_in(app, reporting):
    from tracker.progress import operations

    _uid, on_time = _walk(app, reporting, "FRA", "I.3", submitted="2019-02-28T23:59:00", accepted="2019-03-05T10:00:00")
    late_id, late = _walk(app, reporting, "NGA", "I.3", submitted="2019-03-01T00:00:01", accepted="2019-03-05T10:00:00")
    with app.app_context():
        first = db.session.scalar(select(ReportingRound))
        assert on_time == first.id and late is None  # accepted after the cut-off, but received by it; and the late one
        secretariat = reporting._user("secretariat")
        with clock_at(_moment("2019-03-10T09:00:00")):
            second = operations.save_round(None, code="jsm-2019-b", title="After the meeting", due=date(2019, 6, 30),
                                           meeting_date=date(2019, 7, 15), actor=secretariat)
        db.session.commit()
        from tracker.progress.models import Assignment, ProgressUpdate

        rows = dict(db.session.execute(select(Assignment.entity_id, Assignment.accepted_round_id).where(Assignment.accepted_update_id.is_not(None))).all())
        assert sorted(rows.values()) == sorted([first.id, second.id])  # the late update now counts in the new round
        assert db.session.get(ProgressUpdate, late_id).round_id == second.id
        # Moving the new round's cut-off before the late submission puts it back out of every round.
        with clock_at(_moment("2019-03-10T09:05:00")):
            operations.save_round(second, code="jsm-2019-b", title="After the meeting", due=date(2019, 2, 28),
                                  meeting_date=date(2019, 7, 15), actor=secretariat)
        db.session.commit()
        assert db.session.scalar(select(Assignment.accepted_round_id).join(Assignment.entity).where(Assignment.accepted_update_id == late_id)) is None


def test_the_report_counts_and_quotes_only_what_the_cut_off_received(app, reporting, create_user):
    _walk(app, reporting, "FRA", "I.3", submitted="2019-02-20T10:00:00", accepted="2019-03-04T10:00:00",
          claimed="in_progress", narrative="France: received in time.")
    _walk(app, reporting, "NGA", "I.3", submitted="2019-03-02T10:00:00", accepted="2019-03-04T11:00:00",
          narrative="Nigeria: sent after the cut-off.")
    # France again, after the cut-off: the report keeps France at what it had received by then.
    _walk(app, reporting, "FRA", "I.3", submitted="2019-03-03T10:00:00", accepted="2019-03-04T12:00:00",
          narrative="France: the later update.")
    app.config["TODAY"] = "2019-03-15"
    client = app.test_client()
    login(client, create_user("secretariat"))
    html = client.get("/reports/progress-report").get_data(as_text=True)
    assert "France: received in time." in html
    assert "Nigeria: sent after the cut-off." not in html and "France: the later update." not in html
    item = html.split('id="ri-I.3"')[1].split("</article>")[0]
    assert "Action under way</span> (1):\n        France" in item and "Implemented</span>" not in item
    assert "1 accepted in the round" in item
    assert f"The cut-off passed at the end of {CUT_OFF} (UTC)" in html
    assert "2 updates submitted after the cut-off are left out; they belong to the next round." in html
    pdf = client.get("/reports/progress-report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    # The dashboard shows today's statuses, and counts in the round only what the cut-off received.
    board = client.get("/reports/").get_data(as_text=True)
    assert f"Closed on {CUT_OFF}" in board
    assert "with an update accepted in the round (0)" in board  # France's accepted update is now the later one
    listed = client.get("/reports/assignments?flag=accepted").get_data(as_text=True)
    assert "No assignment" in listed or "0 assignments" in listed


def test_an_open_round_says_so_in_the_report(app, reporting, create_user):
    app.config["TODAY"] = "2019-02-15"
    reporting.update("FRA", "I.3", "accepted", narrative="France: in time.")
    client = app.test_client()
    login(client, create_user("secretariat"))
    html = client.get("/reports/progress-report").get_data(as_text=True)
    assert f"The round is open until the end of {CUT_OFF} (UTC)" in html and "France: in time." in html
    assert "with an update submitted in this round and accepted" in html


@pytest.mark.parametrize(
    "today, expected, absent",
    [
        ("2019-02-28", f"Open for updates until the end of {CUT_OFF} (UTC)", f"Closed on {CUT_OFF}"),
        ("2019-03-01", f"Closed on {CUT_OFF}", "Open for updates until"),
    ],
)
def test_the_rounds_page_says_whether_a_round_is_open(app, create_user, today, expected, absent):
    app.config["TODAY"] = today
    client = app.test_client()
    login(client, create_user("secretariat"))
    html = client.get("/rounds").get_data(as_text=True)
    assert expected in html and absent not in html


@pytest.mark.parametrize("today, notice", [("2019-02-28", False), ("2019-03-01", True)])
def test_the_worklist_tells_a_focal_point_that_the_cut_off_passed(app, create_user, today, notice):
    app.config["TODAY"] = today
    client = app.test_client()
    login(client, create_user("focal_point", "FRA"))
    html = client.get("/worklist").get_data(as_text=True)
    assert (f"The cut-off of {CUT_OFF} for “Progress towards the joint special meeting” has passed." in html) is notice
    assert ("it belongs to the next reporting round" in html) is notice
    assert ("Current round: Progress towards the joint special meeting" in html) is not notice


def test_a_focal_point_can_still_report_after_the_last_cut_off(app, reporting):
    app.config["TODAY"] = "2019-03-15"
    update_id = reporting.update("FRA", "I.3", "accepted")
    from tracker.progress.models import Assignment, ProgressUpdate

    with app.app_context():
        update = db.session.get(ProgressUpdate, update_id)
        assert update.submitted_at.date() == date(2019, 3, 15)  # the pinned clock, not the real one
        assert db.session.get(Assignment, update.assignment_id).accepted_round_id is None
