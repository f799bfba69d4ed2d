"""``flask users`` and ``flask demo`` (SECURITY.md 5)."""

from sqlalchemy import func, select

from tests.conftest import dispose, make_app
from tests.helpers import PASSWORD, login
from tracker.accounts.models import User
from tracker.extensions import db


def test_a_fresh_database_has_no_accounts(app):
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_create_reads_the_password_from_stdin(app, cli, client):
    result = cli.invoke(args=["users", "create", "fp@example.org", "--role", "focal_point", "--entity", "fra"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    login(client, "fp@example.org")


def test_create_with_invite_prints_a_link(cli):
    result = cli.invoke(args=["users", "create", "sec@example.org", "--role", "secretariat", "--invite"])
    assert result.exit_code == 0, result.output
    assert "/account/link/" in result.output


def test_create_refuses_bad_input_and_writes_nothing(app, cli):
    cases = [
        (["users", "create", "x@example.org", "--role", "focal_point"], PASSWORD, "must belong to an entity"),
        (["users", "create", "x@example.org", "--role", "auditor", "--entity", "FRA"], PASSWORD, "Only focal points"),
        (["users", "create", "x@example.org", "--role", "focal_point", "--entity", "XXX"], PASSWORD, "no entity"),
        (["users", "create", "x@example.org", "--role", "auditor"], "short", "at least 15"),
        (["users", "create", "x@example.org", "--role", "auditor"], "", "standard input"),
    ]
    for args, password, message in cases:
        result = cli.invoke(args=args, input=password + "\n")
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_list_and_deactivate(cli):
    cli.invoke(args=["users", "create", "a@example.org", "--role", "auditor"], input=PASSWORD + "\n")
    assert "a@example.org\tauditor\t-\tactive" in cli.invoke(args=["users", "list"]).output
    assert cli.invoke(args=["users", "deactivate", "a@example.org"]).exit_code == 0
    assert "deactivated" in cli.invoke(args=["users", "list"]).output
    assert cli.invoke(args=["users", "deactivate", "nobody@example.org"]).exit_code != 0


def test_demo_accounts_only_in_demo_mode(cli, database_url):
    assert cli.invoke(args=["demo"]).exit_code != 0
    app = make_app(database_url, TRACKER_MODE="demo")
    try:
        result = app.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        assert "DEMO" in result.output
        for email in ("focal.france@demo.invalid", "focal.nigeria@demo.invalid", "focal.unodc@demo.invalid",
                      "secretariat@demo.invalid", "auditor@demo.invalid", "admin@demo.invalid"):
            assert email in result.output
        password = result.output.split("admin@demo.invalid")[1].split()[0]
        login(app.test_client(), "admin@demo.invalid", password)
        again = app.test_cli_runner().invoke(args=["demo"])
        assert again.exit_code == 0 and again.output.split("admin@demo.invalid")[1].split()[0] != password
    finally:
        dispose(app)
