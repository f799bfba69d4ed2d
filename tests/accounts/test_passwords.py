"""Password policy and hashing (SECURITY.md 1-3)."""

import pytest
from argon2 import PasswordHasher

from tracker.accounts import passwords


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("x7#Lq9!mZ2@pW4", False),  # 14 characters
        ("glacier orbit lantern 77", True),
        ("Ω" * 3 + " σύνθημα κρυφό μακρύ 9", True),  # any characters
        ("пароль очень длинный и странный 2019", True),
        ("passwordpassword", False),  # common
        ("123456789012345", False),
        ("iloveyouiloveyou", False),
        ("q" * 129, False),  # over 128
    ],
)
def test_policy(ctx, password, accepted):
    assert (passwords.problem(password) is None) is accepted


def test_128_characters_are_accepted_and_not_truncated(ctx):
    long = "correct horse battery staple " * 4 + "x" * 12
    assert len(long) == 128 and passwords.problem(long) is None
    stored = passwords.hash_password(long)
    assert passwords.verify_password(stored, long)
    assert not passwords.verify_password(stored, long[:-1])


def test_unicode_round_trips(ctx):
    password = "عربى 中文 кириллица ünïcödé"
    assert passwords.verify_password(passwords.hash_password(password), password)


def test_the_hash_is_argon2id(ctx):
    assert passwords.hash_password("glacier orbit lantern 77").startswith("$argon2id$")


def test_production_parameters_meet_owasp(app, tmp_path):
    from tracker import config

    production = config.load(str(tmp_path), {"TRACKER_MODE": "production", "SECRET_KEY": "x" * 32})
    app.config["ARGON2_PARAMETERS"] = production["ARGON2_PARAMETERS"]
    with app.app_context():
        hasher = passwords.hasher()
    assert hasher.memory_cost >= 19 * 1024 and hasher.time_cost >= 2


def test_old_parameters_are_rehashed_at_sign_in(app, client, create_user):
    from sqlalchemy import select

    from tests.helpers import PASSWORD, login
    from tracker.accounts.models import User
    from tracker.extensions import db

    email = create_user("secretariat")
    weak = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash(PASSWORD)
    with app.app_context():
        db.session.scalar(select(User).filter_by(email=email)).password_hash = weak
        db.session.commit()
    login(client, email)
    with app.app_context():
        stored = db.session.scalar(select(User).filter_by(email=email)).password_hash
    assert stored != weak and not PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).check_needs_rehash(stored)
