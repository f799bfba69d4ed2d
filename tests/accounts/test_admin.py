"""Invitations, resets and account administration (SECURITY.md 5, 6, 13)."""

import re
from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from tests.helpers import PASSWORD, login, submit
from tracker.accounts.models import AccountToken, User
from tracker.audit.models import AuditEvent
from tracker.core.db import utcnow
from tracker.core.tokens import hash_token
from tracker.extensions import db

NEW_PASSWORD = "violet harbour compass 1988"


def invite(client, email="new.focal@example.org", role="focal_point", entity="NGA"):
    response = submit(
        client, "/admin/users/invite", {"email": email, "name": "New Person", "role": role, "entity": entity}
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:3000]
    return re.search(r'value="(http://localhost/account/link/[^"]+)"', response.get_data(as_text=True)).group(1)


def test_invitation_is_single_use_and_sets_the_password(app, client, create_user):
    login(client, create_user("admin"))
    link = invite(client)
    path = link.replace("http://localhost", "")
    person = app.test_client()
    assert person.get(path).status_code == 200
    response = submit(person, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    login(person, "new.focal@example.org", NEW_PASSWORD)
    assert person.get(path).status_code == 404  # used
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(email="new.focal@example.org"))
        assert user.entity.code == "NGA" and user.role.value == "focal_point"
        token = path.rsplit("/", 1)[1]
        stored = db.session.scalars(select(AccountToken.token_hash)).all()
        assert token not in stored and hash_token(token) in stored
        kinds = db.session.scalars(select(AuditEvent.kind).order_by(AuditEvent.seq)).all()
        assert "account.invitation_issued" in kinds and "account.password_set" in kinds
        events = db.session.scalars(select(AuditEvent)).all()
        assert all(token not in str(e.data) for e in events)


def test_an_expired_invitation_is_refused(app, client, create_user):
    login(client, create_user("admin"))
    path = invite(client).replace("http://localhost", "")
    with time_machine.travel(utcnow() + timedelta(days=8)):
        person = app.test_client()
        assert person.get(path).status_code == 404


def test_a_weak_password_is_refused_and_the_link_kept(app, client, create_user):
    login(client, create_user("admin"))
    path = invite(client).replace("http://localhost", "")
    person = app.test_client()
    response = submit(person, path, {"password": "passwordpassword", "confirm": "passwordpassword"})
    assert "too common" in response.get_data(as_text=True)
    assert person.get(path).status_code == 200


def test_a_reset_link_replaces_the_password_and_ends_sessions(app, client, create_user):
    email = create_user("secretariat")
    victim = app.test_client()
    login(victim, email)
    login(client, create_user("admin"))
    with app.app_context():
        user_id = db.session.scalar(select(User.id).filter_by(email=email))
    response = submit(client, f"/admin/users/{user_id}/reset", page="/admin/users")
    path = re.search(r'value="http://localhost(/account/link/[^"]+)"', response.get_data(as_text=True)).group(1)
    submit(app.test_client(), path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert victim.get("/account").status_code == 302
    login(app.test_client(), email, NEW_PASSWORD)


def test_focal_points_need_an_entity_and_others_none(app, client, create_user):
    login(client, create_user("admin"))
    for role, entity in (("focal_point", ""), ("auditor", "FRA")):
        response = submit(client, "/admin/users/invite", {"email": f"{role}@example.org", "name": "X", "role": role, "entity": entity})
        assert response.status_code == 200 and 'aria-invalid="true"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(User.email.like("%@example.org"))) == 1


def test_a_duplicate_email_is_refused(app, client, create_user):
    email = create_user("auditor")
    login(client, create_user("admin"))
    response = submit(client, "/admin/users/invite", {"email": email.upper(), "name": "X", "role": "auditor", "entity": ""})
    assert "already exists" in response.get_data(as_text=True)


def test_a_role_change_is_audited_and_signs_the_person_out(app, client, create_user):
    email = create_user("focal_point", "FRA")
    person = app.test_client()
    login(person, email)
    login(client, create_user("admin"))
    with app.app_context():
        user_id = db.session.scalar(select(User.id).filter_by(email=email))
    response = submit(client, f"/admin/users/{user_id}", {"name": "Moved", "role": "focal_point", "entity": "NGA"})
    assert response.status_code == 302
    assert person.get("/account").status_code == 302
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).filter_by(kind="account.updated")).one()
        assert event.data["changes"]["entity"] == {"before": "FRA", "after": "NGA"}


def test_deactivate_and_reactivate(app, client, create_user):
    email = create_user("auditor")
    login(client, create_user("admin"))
    with app.app_context():
        user_id = db.session.scalar(select(User.id).filter_by(email=email))
    submit(client, f"/admin/users/{user_id}/deactivate", page="/admin/users")
    response = submit(app.test_client(), "/login", {"email": email, "password": PASSWORD})
    assert "not correct" in response.get_data(as_text=True)
    submit(client, f"/admin/users/{user_id}/reactivate", page="/admin/users")
    login(app.test_client(), email)


def test_an_admin_cannot_deactivate_or_demote_themself(app, client, create_user):
    email = create_user("admin")
    login(client, email)
    with app.app_context():
        user_id = db.session.scalar(select(User.id).filter_by(email=email))
    submit(client, f"/admin/users/{user_id}/deactivate", page="/admin/users")
    response = submit(client, f"/admin/users/{user_id}", {"name": "Me", "role": "secretariat", "entity": ""})
    assert "own role" in response.get_data(as_text=True)
    assert client.get("/admin/users").status_code == 200


def test_forged_fields_on_the_account_page_are_ignored(app, client, create_user):
    email = create_user("focal_point", "FRA")
    login(client, email)
    response = submit(
        client,
        "/account",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "role": "admin", "entity": "NGA"},
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(email=email))
        assert user.role.value == "focal_point" and user.entity.code == "FRA"


def test_change_password_needs_the_current_one(client, create_user):
    login(client, create_user("auditor"))
    response = submit(client, "/account", {"current_password": "not my password at all", "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert "current password is not correct" in response.get_data(as_text=True)


def test_the_issued_link_has_a_copy_button_that_needs_no_inline_script(app, client, create_user):
    login(client, create_user("admin"))
    response = submit(client, "/admin/users/invite", {"email": "copy.me@example.org", "name": "Copy Me", "role": "auditor", "entity": ""})
    page = response.get_data(as_text=True)
    assert re.search(r'<input id="link" type="text" readonly value="http://localhost/account/link/[^"]+"', page)  # selectable without JS
    button = re.search(r'<button type="button" class="copy-link"[^>]*>Copy link</button>', page, re.S).group(0)
    assert 'data-copy-target="link"' in button and " hidden>" in button  # shown by the script only
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, re.S)
    assert scripts == [""] and 'src="/static/copy-link.js"' in page  # no inline code: the CSP allows 'self' only
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    script = client.get("/static/copy-link.js")
    assert script.status_code == 200 and b"navigator.clipboard.writeText" in script.data
    script.close()
