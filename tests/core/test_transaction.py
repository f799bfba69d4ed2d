"""One commit per request and per command, in one place (tracker.core.transaction)."""

from datetime import date

import click
import pytest
from sqlalchemy import select

from tests.conftest import dispose, make_app
from tracker.catalogue.models import ReportingRound
from tracker.core.access import public
from tracker.core.errors import Refused
from tracker.core.transaction import writes
from tracker.extensions import db


@pytest.fixture
def app(database_url):
    """The app without CSRF checks: the views posted to here are the tests' own."""
    app = make_app(database_url, WTF_CSRF_ENABLED=False)
    yield app
    dispose(app)


def _add_round(code: str, flush: bool = True) -> None:
    db.session.add(ReportingRound(code=code, title="A test round", due=date(2019, 1, 31), meeting_date=date(2019, 2, 28)))
    if flush:
        db.session.flush()


def _codes(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(ReportingRound.code)))


def _route(app, name: str, view, methods=("POST",)) -> None:
    view.__name__ = name
    app.add_url_rule(f"/{name}", name, public(view), methods=list(methods))


def test_a_request_that_returns_is_committed(app, client):
    def adds():
        _add_round("committed")
        return "done"

    _route(app, "adds", adds)
    assert client.post("/adds").status_code == 200
    assert "committed" in _codes(app)


@pytest.mark.parametrize("error, status", [(Refused("Not now."), 400), (RuntimeError("boom"), 500)])
def test_a_request_that_raises_is_rolled_back(app, client, error, status):
    def adds_then_fails():
        _add_round("rolled-back")
        raise error

    _route(app, "fails", adds_then_fails)
    response = client.post("/fails")
    assert response.status_code == status
    assert "rolled-back" not in _codes(app)


def test_a_get_never_writes(app, client):
    def reads():
        _add_round("written-on-get")
        return "read"

    _route(app, "reads", reads, methods=("GET",))
    assert client.get("/reads").status_code == 200
    assert "written-on-get" not in _codes(app)


def test_a_clash_found_at_the_commit_is_the_409_page(app, client):
    existing = sorted(_codes(app))[0]

    def clashes():
        _add_round(existing, flush=False)  # the unique code trips only when the request commits
        return "done"

    _route(app, "clashes", clashes)
    response = client.post("/clashes")
    assert response.status_code == 409
    assert "Someone else changed this at the same moment" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(ReportingRound).where(ReportingRound.code == existing)) == 1


def test_a_command_commits_when_it_returns_and_refuses_cleanly(app):
    @app.cli.command("add-round")
    @click.argument("code")
    @click.option("--refuse", is_flag=True)
    @writes
    def add_round(code: str, refuse: bool) -> None:
        _add_round(code)
        if refuse:
            raise Refused("This round is refused.")

    runner = app.test_cli_runner()
    refused = runner.invoke(args=["add-round", "refused-round", "--refuse"])
    assert refused.exit_code == 1
    assert "This round is refused." in refused.output and "Traceback" not in refused.output
    assert runner.invoke(args=["add-round", "cli-round"]).exit_code == 0
    assert "cli-round" in _codes(app) and "refused-round" not in _codes(app)

