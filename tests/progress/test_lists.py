"""What each person sees in lists: the worklist, the review queue, rounds and due dates."""

import re

import pytest
from sqlalchemy import func, select

from tests.helpers import login, submit
from tracker.catalogue.models import Entity, EntityKind, Recommendation, ReportingRound
from tracker.extensions import db
from tracker.progress.models import Assignment


def test_seeding_gives_one_assignment_per_addressee(app):
    with app.app_context():
        states = db.session.scalar(select(func.count()).select_from(Entity).where(Entity.kind == EntityKind.member_state))
        expected = 0
        for item in db.session.scalars(select(Recommendation)):
            expected += len(item.entities) + (states if item.addressed_to_member_states else 0)
        assert db.session.scalar(select(func.count()).select_from(Assignment)) == expected


def test_reseeding_never_removes_an_assignment(app, cli, tmp_path):
    import shutil

    from tests.conftest import SEED_DIR

    seed = tmp_path / "seed"
    shutil.copytree(SEED_DIR, seed)
    text = (seed / "catalogue.yaml").read_text(encoding="utf-8")
    follow_up = text.index("  - code: FU")
    (seed / "catalogue.yaml").write_text(text[:follow_up] + text[follow_up:text.index("    items:", follow_up)] + "    items: []\n", encoding="utf-8")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Assignment))
    assert cli.invoke(args=["seed", "--seed-dir", str(seed)]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Assignment)) == before


def test_the_worklist_shows_only_the_entitys_items_and_its_own_drafts(app, create_user, reporting):
    own = reporting.update("FRA", "I.3", narrative="Our draft.")
    other = reporting.update("NGA", "I.3", narrative="Their draft.")
    client = app.test_client()
    login(client, create_user("focal_point", "FRA"))
    page = client.get("/worklist").get_data(as_text=True)
    assert f"/updates/{own}" in page and f"/updates/{other}" not in page
    with app.app_context():
        ours = {a.id for a in db.session.scalars(select(Assignment).join(Assignment.entity).where(Entity.code == "FRA"))}
        theirs = {a.id for a in db.session.scalars(select(Assignment).join(Assignment.entity).where(Entity.code == "NGA"))}
    assert all(f"/assignments/{i}\"" in page for i in ours)
    assert not any(f"/assignments/{i}\"" in page for i in theirs)


def test_a_long_worklist_is_paged_and_every_item_is_on_exactly_one_page(app, create_user, monkeypatch):
    from tracker.progress import queries

    monkeypatch.setattr(queries, "WORKLIST_PAGE_SIZE", 5)
    client = app.test_client()
    login(client, create_user("focal_point", "FRA"))
    with app.app_context():
        ours = {a.id for a in db.session.scalars(select(Assignment).join(Assignment.entity).where(Entity.code == "FRA"))}
    pages = -(-len(ours) // 5)
    seen = []
    for number in range(1, pages + 1):
        html = client.get(f"/worklist?session=&page={number}").get_data(as_text=True)
        assert f"page {number} of {pages}" in html
        assert ('rel="next"' in html) is (number < pages) and ('rel="prev"' in html) is (number > 1)
        seen += [int(i) for i in re.findall(r'href="/assignments/(\d+)"', html)]
    assert sorted(seen) == sorted(ours)
    assert "page 1 of" in client.get("/worklist?page=-3").get_data(as_text=True)
    assert f"page {pages} of {pages}" in client.get("/worklist?page=99999999999999999999").get_data(as_text=True)
    assert "page 1 of" in client.get("/worklist?page=two").get_data(as_text=True)
    sessions = client.get("/worklist?session=III&page=2").get_data(as_text=True)
    assert "session=III" in sessions.split('rel="prev"')[1][:200]  # paging keeps the filters


@pytest.mark.parametrize(("query", "present", "absent"), [
    ("session=III", "III.7", "I.3"),
    ("theme=drugs", "II.1", "III.4"),
    ("status=in_progress", "I.6", "I.3"),
    ("due_before=2018-12-31", "No item matches", "I.3"),
    ("due_before=not-a-date", "was ignored", "Traceback"),
])
def test_worklist_filters(app, create_user, reporting, query, present, absent):
    reporting.update("FRA", "I.6", "accepted", claimed="in_progress")
    client = app.test_client()
    login(client, create_user("focal_point", "FRA"))
    response = client.get(f"/worklist?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert present in page and f">{absent}<" not in page


def test_the_review_queue_holds_submitted_updates_oldest_first(app, create_user, reporting):
    first = reporting.update("NGA", "I.3", "submitted")
    second = reporting.update("FRA", "I.4", "submitted")
    reporting.update("FRA", "I.5")  # a draft: never in the queue
    client = app.test_client()
    login(client, create_user("secretariat"))
    page = client.get("/review").get_data(as_text=True)
    assert page.index(f"/updates/{first}") < page.index(f"/updates/{second}")
    assert page.count("/updates/") == 2
    filtered = client.get("/review?entity=fra").get_data(as_text=True)
    assert f"/updates/{second}" in filtered and f"/updates/{first}" not in filtered


def test_the_review_queue_shows_how_long_each_update_has_waited(app, create_user, reporting):
    from datetime import date, datetime, timedelta, timezone

    from tracker.progress.models import ProgressUpdate

    older = reporting.update("NGA", "I.3", "submitted")
    newer = reporting.update("FRA", "I.4", "submitted")
    fresh = reporting.update("FRA", "I.5", "submitted")
    with app.app_context():  # submitted on 1 and 10 February 2019, and on the day the queue is read
        db.session.get(ProgressUpdate, newer).submitted_at = datetime(2019, 2, 10, 23, 30, tzinfo=timezone.utc)
        db.session.get(ProgressUpdate, older).submitted_at = datetime(2019, 2, 1, 8, 0, tzinfo=timezone.utc)
        db.session.get(ProgressUpdate, fresh).submitted_at = datetime(2019, 2, 15, 0, 5, tzinfo=timezone.utc)
        db.session.commit()
    app.config["TODAY"] = date(2019, 2, 15).isoformat()  # the app's today(), not the machine's
    client = app.test_client()
    login(client, create_user("secretariat"))
    page = client.get("/review").get_data(as_text=True)
    rows = re.findall(r'href="/updates/(\d+)".*?<td[^>]*class="days-waiting"[^>]*>([^<]*)</td>', page, re.S)
    assert rows == [(str(older), "14 days"), (str(newer), "5 days"), (str(fresh), "Submitted today")]
    app.config["TODAY"] = (date(2019, 2, 15) + timedelta(days=1)).isoformat()
    assert "1 day<" in client.get("/review").get_data(as_text=True)


def test_the_secretariat_adds_and_edits_rounds(app, create_user):
    client = app.test_client()
    login(client, create_user("secretariat"))
    bad = submit(client, "/rounds", {"code": "jsm-2019b", "title": "Later", "due": "2019-06-01", "meeting_date": "2019-05-01"})
    assert bad.status_code == 200 and "on or before the meeting" in bad.get_data(as_text=True)
    clash = submit(client, "/rounds", {"code": "jsm-2019", "title": "Again", "due": "2019-05-01", "meeting_date": "2019-06-01"})
    assert "already uses this code" in clash.get_data(as_text=True)
    ok = submit(client, "/rounds", {"code": "ctc-2019-h2", "title": "Second half 2019", "due": "2019-10-01", "meeting_date": "2019-11-01"})
    assert ok.status_code == 302
    edit = submit(client, "/rounds/1", {"code": "jsm-2019", "title": "Progress towards the joint special meeting", "due": "2019-03-01", "meeting_date": "2019-03-31"})
    assert edit.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReportingRound)) == 2
        assert db.session.get(ReportingRound, 1).due.isoformat() == "2019-03-01"


def test_the_secretariat_changes_a_due_date(app, create_user, reporting):
    assignment_id = reporting.assignment("FRA", "I.3")
    client = app.test_client()
    login(client, create_user("secretariat"))
    response = submit(client, f"/assignments/{assignment_id}/due", {"due": "2019-02-15"}, page=f"/assignments/{assignment_id}")
    assert response.status_code == 302
    page = client.get(f"/assignments/{assignment_id}").get_data(as_text=True)
    assert "2019-03-31 → 2019-02-15" in page
    bad = submit(client, f"/assignments/{assignment_id}/due", {"due": "soon"}, page=f"/assignments/{assignment_id}")
    assert bad.status_code == 302
    with app.app_context():
        assert db.session.get(Assignment, assignment_id).due.isoformat() == "2019-02-15"


def test_an_assignments_history_reads_by_titles_not_machine_values(app, create_user, reporting):
    from tracker.progress.models import ProgressUpdate

    update_id = reporting.update("NGA", "I.3", "accepted", claimed="in_progress", assessed="partially_implemented")
    with app.app_context():
        assignment_id = db.session.get(ProgressUpdate, update_id).assignment_id
    client = app.test_client()
    login(client, create_user("secretariat"))
    page = client.get(f"/assignments/{assignment_id}").get_data(as_text=True)
    history = page[page.index('id="history"'):]
    assert "Update accepted" in history and "Draft started" in history
    assert "claimed Action under way, assessed Partially implemented" in history
    for raw in ("update.accepted", "update.created", "(focal_point)", "partially_implemented"):
        assert raw not in history, raw
