"""Sign-in, sign-out and session lifetimes (SECURITY.md 4, 7-10, 28)."""

import logging
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from tests.conftest import dispose, make_app
from tests.helpers import PASSWORD, csrf_token, login, submit
from tracker.accounts.models import User
from tracker.accounts.queries import find_user
from tracker.core.db import utcnow
from tracker.extensions import db


def test_sign_in_and_out(client, create_user):
    email = create_user("secretariat")
    assert client.get("/account").status_code == 302  # to the sign-in page
    login(client, email)
    assert email in client.get("/account").get_data(as_text=True)
    assert submit(client, "/logout", page="/account").status_code == 302
    assert client.get("/account").status_code == 302


@pytest.mark.parametrize("email", ["unknown@example.org", "known"])
def test_wrong_credentials_get_one_clear_message(client, create_user, email, caplog):
    known = create_user("auditor")
    caplog.set_level(logging.INFO, logger="tracker.security")
    response = submit(client, "/login", {"email": known if email == "known" else email, "password": "wrong password but long"})
    assert response.status_code == 200
    assert "The email address or password is not correct." in response.get_data(as_text=True)
    assert "sign-in failed" in caplog.text and "wrong password" not in caplog.text


def test_a_copied_cookie_is_refused_after_sign_out(app, client, create_user):
    email = create_user("secretariat")
    login(client, email)
    stolen = client.get_cookie("session").value
    submit(client, "/logout", page="/account")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/account").status_code == 302


def test_sign_out_everywhere_ends_other_sessions(app, client, create_user):
    email = create_user("auditor")
    other = app.test_client()
    login(client, email)
    login(other, email)
    submit(client, "/account/sign-out-everywhere", page="/account")
    assert other.get("/account").status_code == 302
    assert client.get("/account").status_code == 302


def test_deactivation_ends_sessions(app, client, create_user):
    from tracker.accounts import operations

    email = create_user("auditor")
    login(client, email)
    with app.app_context():
        operations.set_active(find_user(email), False)
        db.session.commit()
    assert client.get("/account").status_code == 302
    response = submit(client, "/login", {"email": email, "password": PASSWORD})
    assert "not correct" in response.get_data(as_text=True)


def test_a_session_cookie_from_before_sign_in_is_not_authenticated_after(app, client, create_user):
    email = create_user("secretariat")
    client.get("/login")
    before = client.get_cookie("session").value
    login(client, email)
    assert client.get_cookie("session").value != before
    other = app.test_client()
    other.set_cookie("session", before)
    assert other.get("/account").status_code == 302


def test_idle_timeout(client, create_user):
    email = create_user("secretariat")
    with time_machine.travel(utcnow(), tick=True) as traveller:
        login(client, email)
        traveller.shift(timedelta(minutes=20))
        assert client.get("/account").status_code == 200
        traveller.shift(timedelta(minutes=31))
        assert client.get("/account").status_code == 302


def test_absolute_lifetime(client, create_user):
    email = create_user("secretariat")
    with time_machine.travel(utcnow(), tick=True) as traveller:
        login(client, email)
        for _ in range(26):  # active every 29 minutes for 12.5 hours
            traveller.shift(timedelta(minutes=29))
            response = client.get("/account")
        assert response.status_code == 302


def test_cookie_attributes(database_url, create_user):
    app = make_app(database_url, TRACKER_MODE="production", SECRET_KEY="s" * 40)
    try:
        client = app.test_client()
        response = client.get("/login", base_url="https://tracker.example.org")
        cookie = response.headers["Set-Cookie"]
        assert cookie.startswith("__Host-session=")
        for attribute in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
            assert attribute in cookie
        assert "Domain" not in cookie
        assert "Strict-Transport-Security" in response.headers
    finally:
        dispose(app)


def test_authenticated_pages_are_not_cached(client, create_user):
    login(client, create_user("auditor"))
    assert client.get("/account").headers["Cache-Control"] == "no-store"


def test_the_sixth_attempt_in_a_minute_is_throttled(database_url):
    app = make_app(database_url, RATELIMIT_ENABLED=True)
    try:
        client = app.test_client()
        token = csrf_token(client)
        codes = [
            client.post("/login", data={"email": "a@example.org", "password": "x" * 20, "csrf_token": token}).status_code
            for _ in range(6)
        ]
        assert codes == [200] * 5 + [429]
    finally:
        dispose(app)


def test_the_account_locks_softly_after_repeated_failures(app, client, create_user):
    email = create_user("secretariat")
    for _ in range(10):
        submit(client, "/login", {"email": email, "password": "not the password at all"})
    response = submit(client, "/login", {"email": email, "password": PASSWORD})
    assert "locked" in response.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(email=email))
        assert user.is_locked
    with time_machine.travel(utcnow() + timedelta(minutes=16)):
        login(client, email)


def test_a_missing_csrf_token_is_refused(client, create_user, caplog):
    email = create_user("secretariat")
    caplog.set_level(logging.WARNING, logger="tracker.security")
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert "CSRF" in caplog.text


def test_next_only_leads_within_the_site(client, create_user):
    email = create_user("auditor")
    token = csrf_token(client)
    response = client.post("/login?next=https://evil.example/", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/home"
