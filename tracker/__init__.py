"""The recommendation follow-up tracker of the Counter-Terrorism Committee."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext

from tracker import config as settings
from tracker.core.db import render_item
from tracker.core.transaction import Tracker
from tracker.extensions import babel, cache, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Make the application: defaults, then the environment, then ``config``.

    A ``Tracker`` is a Flask app that commits each request once (``tracker.core.transaction``).
    """
    app = Tracker(
        __name__,
        instance_path=os.environ.get("TRACKER_INSTANCE_PATH", str(ROOT / "instance")),
        template_folder=str(ROOT / "templates"),
    )
    app.config.from_mapping(settings.load(app.instance_path, config))
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True, render_item=render_item
    )
    babel.init_app(app)
    cache.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"
    login_manager.login_message = lazy_gettext("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    app.jinja_env.add_extension("jinja2.ext.do")
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            from tracker.core.db import configure_sqlite

            configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_SECONDS"])
        _start_clock(app)

    from tracker.core import access, web

    web.init_app(app)
    app.url_map.converters["id"] = web.IdConverter
    app.before_request(access.enforce)

    from tracker.accounts import cli as accounts_cli
    from tracker.accounts.views import bp as accounts_bp
    from tracker.api import cli as api_cli
    from tracker.api.pages import bp as tokens_bp
    from tracker.api.views import bp as api_bp
    from tracker.audit import cli as audit_cli
    from tracker.catalogue import cli as catalogue_cli
    from tracker.catalogue.views import bp as catalogue_bp
    from tracker.exports import cli as exports_cli
    from tracker.exports.views import bp as exports_bp
    from tracker.progress import cli as progress_cli
    from tracker.progress.views import bp as progress_bp
    from tracker.reports.views import bp as reports_bp

    app.register_blueprint(catalogue_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(progress_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(tokens_bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # the API takes bearer tokens only, never the session cookie
    web.answer_json_under(app, "/api/")  # its errors too, for URLs no view matches
    catalogue_cli.init_app(app)
    accounts_cli.init_app(app)
    progress_cli.init_app(app)
    audit_cli.init_app(app)
    exports_cli.init_app(app)
    api_cli.init_app(app)
    return app


def _start_clock(app: Flask) -> None:
    """With ``TODAY`` pinned, start the clock there; in demo mode never before the newest stored event."""
    from tracker.core.db import start_clock

    if not app.config.get("TODAY"):
        return
    floor = None
    if app.config["TRACKER_MODE"] == "demo":
        from sqlalchemy import func, inspect, select

        from tracker.audit.models import AuditEvent

        if inspect(db.engine).has_table(AuditEvent.__tablename__):  # not before the first migration
            floor = db.session.scalar(select(func.max(AuditEvent.occurred_at)))
        db.session.remove()
    start_clock(app, floor)
