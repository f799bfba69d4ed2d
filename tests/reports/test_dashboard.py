"""The dashboard, its lists and the grid: figures read from the projection, checked by content."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from tests.helpers import login
from tracker.extensions import db


@pytest.fixture
def secretariat(client, create_user):
    login(client, create_user("secretariat"))
    return client


def _board(app):
    from tracker.reports import dashboard

    with app.app_context():
        return dashboard.live_dashboard()


def test_figures_follow_the_workflow(app, in_round, reporting):
    reporting.update("FRA", "I.3", "accepted", claimed="implemented")
    reporting.update("NGA", "I.3", "accepted", claimed="partially_implemented", assessed="in_progress")
    reporting.update("NGA", "I.4", "returned")
    reporting.update("NGA", "I.5", "submitted")
    reporting.update("FRA", "I.4", "draft")
    board = _board(app)
    assert board.total.by_status["implemented"] == 1
    assert board.total.by_status["in_progress"] == 1  # the assessment, not the claim
    assert board.total.by_status["partially_implemented"] == 0
    assert board.total.accepted == 2
    assert board.total.returned == 1
    session_i = dict((s.code, t) for s, t in board.sessions)["I"]
    assert session_i.accepted == 2 and session_i.returned == 1
    entities = {e.code: t for e, t in board.entities}
    assert entities["FRA"].by_status["implemented"] == 1 and entities["FRA"].last_activity is not None
    assert entities["NGA"].returned == 1
    assert board.items and sum(t.total for t in board.items.values()) == board.total.total
    assert [n for _d, n in board.timeline] == [2]


@pytest.mark.parametrize("status", ["in_progress", "partially_implemented", "implemented", "not_applicable"])
def test_each_official_status_is_counted_and_listed(app, reporting, secretariat, status):
    reporting.update("NGA", "III.3", "accepted", claimed=status, narrative="Done as described.")
    assert _board(app).total.by_status[status] == 1
    html = secretariat.get(f"/reports/assignments?status={status}").get_data(as_text=True)
    assert "1 assignment" in html and "NGA" in html and "III.3" in html
    assert "FRA" not in html


def test_overdue_counts_after_the_due_date_and_not_for_closed_items(app, reporting):
    app.config["TODAY"] = "2019-02-15"  # after UNICRI's toolkit (IS.3, due 2019-01-31)
    board = _board(app)
    overdue_items = {board.catalogue.items[i].code for i, t in board.items.items() if t.overdue}
    assert "IS.3" in overdue_items and "I.3" not in overdue_items
    reporting.update("UNICRI", "IS.3", "accepted", claimed="implemented")
    board = _board(app)
    assert not any(t.overdue for i, t in board.items.items() if board.catalogue.items[i].code == "IS.3")


def test_every_number_links_to_the_list_behind_it(app, in_round, reporting, secretariat):
    reporting.update("NGA", "I.4", "returned")
    reporting.update("FRA", "I.3", "accepted")
    html = secretariat.get("/reports/").get_data(as_text=True)
    links = set(re.findall(r'href="(/reports/assignments[^"]*)"', html.replace("&amp;", "&")))
    assert "/reports/assignments?flag=returned" in links
    assert "/reports/assignments?session=I&flag=accepted" in links
    assert "/reports/assignments?entity=NGA" in links
    returned = secretariat.get("/reports/assignments?flag=returned").get_data(as_text=True)
    assert "1 assignment" in returned and "Nigeria" in returned and "I.4" in returned and "France" not in returned
    accepted = secretariat.get("/reports/assignments?flag=accepted&session=I").get_data(as_text=True)
    assert "1 assignment" in accepted and "France" in accepted
    france = {e.code: t for e, t in _board(app).entities}["FRA"]
    rest = secretariat.get("/reports/assignments?flag=not_accepted&entity=FRA").get_data(as_text=True)
    assert france.accepted == 1 and f"{france.total - 1} assignments" in rest  # never accepted counts as not accepted


def test_the_lists_are_paged(secretariat):
    first = secretariat.get("/reports/assignments?item=I.3").get_data(as_text=True)
    assert "page 1 of 2" in first and 'rel="next"' in first
    second = secretariat.get("/reports/assignments?item=I.3&page=2").get_data(as_text=True)
    assert "page 2 of 2" in second and 'rel="prev"' in second


def test_the_item_page_pages_its_addressees_and_counts_them_all(app, reporting, secretariat):
    reporting.update("NGA", "I.3", "accepted", claimed="implemented")
    first = secretariat.get("/reports/briefings/ctc-2018-10-08/items/I.3").get_data(as_text=True)
    assert "page 1 of 2" in first and 'rel="next"' in first and "Afghanistan" in first and "Nigeria" not in first
    assert "Implemented</span>: <strong>1</strong>" in first  # the tally counts every page
    second = secretariat.get("/reports/briefings/ctc-2018-10-08/items/I.3?page=2").get_data(as_text=True)
    assert "page 2 of 2" in second and "Nigeria" in second and "Afghanistan" not in second
    implemented = secretariat.get("/reports/briefings/ctc-2018-10-08/items/I.3?status=implemented").get_data(as_text=True)
    assert "1 addressee shown" in implemented and "Nigeria" in implemented and 'rel="next"' not in implemented


@pytest.mark.parametrize("days, silent", [(1, False), (0, False)])
def test_silent_entities(app, reporting, secretariat, days, silent):
    reporting.update("FRA", "I.3", "submitted")
    html = secretariat.get(f"/reports/?silent_days={days}").get_data(as_text=True)
    section = html.split('id="h-silent"')[1].split("</section>")[0]
    assert ("France (FRA)" in section) is silent
    assert "Nigeria (NGA)" in section  # never active


def test_countdowns_and_the_round(app, secretariat):
    app.config["TODAY"] = "2019-02-20"
    html = secretariat.get("/reports/").get_data(as_text=True)
    assert "in 8 days" in html and "in 39 days" in html
    assert "Progress towards the joint special meeting" in html


def test_the_dashboard_costs_the_same_whatever_the_number_of_updates(app, reporting):
    """Its queries read the projection: their number does not grow with the updates."""
    from tracker.reports import dashboard

    def statements():
        with app.app_context():
            seen = []
            listener = lambda *args: seen.append(args[2])  # noqa: E731
            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                dashboard.live_dashboard()
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
            return seen

    before = statements()
    for entity in ("FRA", "NGA", "DEU", "BRA", "JPN"):
        for item in ("I.3", "I.4", "III.3"):
            reporting.update(entity, item, "accepted")
    after = statements()
    assert len(after) == len(before)
    assert not any("audit_events" in s for s in after)
    assert not any("FROM progress_updates" in s for s in after)  # joined by primary key only


def test_the_rendered_dashboard_is_reused_until_the_chain_or_the_day_moves(app, reporting, secretariat):
    def scans_assignments(path="/reports/"):
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", listener)
        try:
            html = secretariat.get(path).get_data(as_text=True)
        finally:
            with app.app_context():
                event.remove(db.engine, "before_cursor_execute", listener)
        return any("FROM assignments" in s for s in seen), html

    assert scans_assignments()[0]
    assert scans_assignments() == (False, scans_assignments()[1])  # same page, from the cache
    assert scans_assignments("/reports/?silent_days=3")[0]  # another question, computed
    reporting.update("FRA", "I.3", "accepted", claimed="implemented")  # the chain moves: seen at once
    scanned, html = scans_assignments()
    assert scanned and "/reports/assignments?session=I&amp;flag=accepted" in html
    app.config["TODAY"] = "2019-02-20"  # so does the day
    scanned, html = scans_assignments()
    assert scanned and "in 8 days" in html


def test_the_grid_shows_status_by_text_and_shape_and_sorts(app, reporting, secretariat):
    reporting.update("NGA", "I.3", "accepted", claimed="implemented")
    reporting.update("FRA", "I.4", "returned")
    html = secretariat.get("/reports/grid?session=I&sort=progress").get_data(as_text=True)
    rows = re.findall(r'<th scope="row" class="entity-col">([^<]+)', html)
    assert rows[0] == "Nigeria "  # the only entity with an official status beyond "no action reported"
    least = secretariat.get("/reports/grid?session=I&sort=least").get_data(as_text=True)
    assert re.findall(r'<th scope="row" class="entity-col">([^<]+)', least)[-1] == "Nigeria "
    assert 'class="cell c-implemented"' in html and 'aria-label="Implemented"' in html and "●" in html
    assert re.search(r'aria-label="No action reported(, overdue)?, returned for changes"', html)
    only = secretariat.get("/reports/grid?status=implemented").get_data(as_text=True)
    assert re.findall(r'<th scope="row" class="entity-col">([^<]+)', only) == ["Nigeria "]
    states = secretariat.get("/reports/grid?kind=member_state").get_data(as_text=True)
    assert "193 entities" in states and "UNODC" not in re.sub(r"<thead>.*?</thead>", "", states, flags=re.S)
    searched = secretariat.get("/reports/grid?q=fra").get_data(as_text=True)
    assert "1 entity" in searched


def test_bad_arguments_are_ignored_with_a_message(secretariat):
    html = secretariat.get("/reports/?as_of=yesterday&silent_days=x").get_data(as_text=True)
    assert "is not a date" in html and "Readiness for the joint special meeting" in html
    future = secretariat.get("/reports/?as_of=2999-01-01").get_data(as_text=True)
    assert "is in the future" in future
    assert secretariat.get("/reports/assignments?status=bogus&flag=bogus&page=-3").status_code == 200
    assert secretariat.get("/reports/grid?sort=bogus&kind=bogus&page=0").status_code == 200
