"""Pages through the Flask test client, beside their raw SQL and their template rendering alone."""

from __future__ import annotations

import re
import statistics
import time
from contextlib import contextmanager

from flask import template_rendered
from flask_login import login_user

PASSWORD = "a long and unguessable passphrase 42"
FOCAL = "fp.fra@bench.example.org"
SECRETARIAT = "secretariat@bench.example.org"
AUDITOR = "auditor@bench.example.org"
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def median_time(fn, reps: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def signed_in(app, email: str):
    """A test client signed in through /login with its CSRF token, like tests/helpers.py."""
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    match = _TOKEN.search(html)
    token = match.group(1) or match.group(2)
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, f"login of {email} failed: {response.status_code}"
    return client


def fetch(client, path: str) -> int:
    response = client.get(path)
    assert response.status_code == 200, f"{path}: {response.status_code}"
    return len(response.get_data())


def fetch_computed(app, client, path: str) -> int:
    """Fetch a page with the rendered-dashboard cache emptied first: the cost of computing it."""
    from tracker.extensions import cache

    with app.app_context():
        cache.clear()
    return fetch(client, path)


@contextmanager
def _captured(app):
    seen = []

    def record(sender, template, context, **extra):
        seen.append((template, dict(context)))

    template_rendered.connect(record, app)
    try:
        yield seen
    finally:
        template_rendered.disconnect(record, app)


def render_alone(app, path: str, email: str, reps: int) -> float:
    """Median time of the page's template rendering alone, with the context the view built.

    The view runs once (untimed) in a request context signed in as ``email``; its template and
    context are captured and rendered again, objects already loaded, within the same session.
    """
    from tracker.accounts.operations import find_user
    from tracker.extensions import db

    with app.test_request_context(path):
        app.preprocess_request()
        login_user(find_user(email))
        adapter = app.url_map.bind("localhost")
        endpoint, args = adapter.match(path.split("?")[0])
        with _captured(app) as seen:
            app.view_functions[endpoint](**args)
        template, context = seen[-1]
        app.update_template_context(context)
        elapsed = median_time(lambda: template.render(context), reps)
        db.session.rollback()
    return elapsed


# Raw SQL equivalents, through the DBAPI: the same rows each page reads.

STATUSES = ("not_started", "in_progress", "partially_implemented", "implemented", "not_applicable")
CLOSED = "('implemented', 'not_applicable')"


def _run(raw, engine: str, queries: list[tuple[str, tuple]]) -> int:
    cur = raw.cursor()
    n = 0
    for sql, params in queries:
        if engine == "sqlite":
            sql = sql.replace("%s", "?")
        cur.execute(sql, params)
        n += len(cur.fetchall())
    if engine == "postgresql":
        raw.commit() if not raw.autocommit else None
    return n


def dashboard_sql(round_id: int, today: str, engine: str) -> list:
    """Per item and per entity, a count by official status and the dashboard's flags, and the
    timeline, over the projection the assignments carry (accepted round, open update state); and
    the catalogue rows the page names them by (items, sessions, themes, entities)."""
    day = "CAST(timezone('UTC', a.official_since) AS DATE)" if engine == "postgresql" else "substr(a.official_since, 1, 10)"
    counts = ", ".join(
        [f"count(*) FILTER (WHERE a.official_status = '{status}')" for status in STATUSES]
        + [
            "count(*) FILTER (WHERE a.accepted_round_id = %s)",
            f"count(*) FILTER (WHERE a.due < %s AND a.official_status NOT IN {CLOSED})",
            "count(*) FILTER (WHERE a.open_update_state = 'returned')",
        ]
    )
    joined = " FROM assignments a JOIN recommendations r ON r.id = a.recommendation_id WHERE r.retired_at IS NULL"
    return [
        (f"SELECT a.recommendation_id, {counts}{joined} GROUP BY a.recommendation_id", (round_id, today)),
        (f"SELECT a.entity_id, {counts}, max(a.last_activity_at){joined} GROUP BY a.entity_id", (round_id, today)),
        (f"SELECT {day}, count(*){joined} AND a.accepted_round_id = %s GROUP BY {day}", (round_id,)),
        *CATALOGUE_SQL,
    ]


CATALOGUE_SQL = [
    ("SELECT r.id, r.code, r.text, r.kind, r.due, r.session_id, b.code FROM recommendations r"
     " JOIN briefing_sessions s ON s.id = r.session_id JOIN briefings b ON b.id = r.briefing_id"
     " WHERE r.retired_at IS NULL ORDER BY b.date, s.position, r.position", ()),
    ("SELECT s.id, s.code, s.title, b.date FROM briefing_sessions s JOIN briefings b ON b.id = s.briefing_id"
     " ORDER BY b.date, s.position", ()),
    ("SELECT id, code, title FROM themes ORDER BY title", ()),
    ("SELECT id, code, name, kind FROM entities ORDER BY name", ()),
    ("SELECT recommendation_id, theme_id FROM recommendation_themes", ()),
]


def worklist_sql(entity_id: int) -> list:
    """The worklist's first page (50 rows) and the count that numbers its pages."""
    where = " FROM assignments a JOIN recommendations r ON r.id = a.recommendation_id WHERE a.entity_id = %s AND r.retired_at IS NULL"
    return [
        ("SELECT count(*)" + where, (entity_id,)),
        (
            "SELECT a.id, a.due, a.official_status, a.last_activity_at, r.code, r.text, r.source_quote, s.title, s.position,"
            " ou.id, ou.state, ou.claimed_status"
            " FROM assignments a JOIN recommendations r ON r.id = a.recommendation_id"
            " JOIN briefing_sessions s ON s.id = r.session_id LEFT JOIN progress_updates ou ON ou.id = a.open_update_id"
            " WHERE a.entity_id = %s AND r.retired_at IS NULL ORDER BY s.position, r.position LIMIT 50",
            (entity_id,),
        ),
    ]


def assignment_sql(assignment_id: int) -> list:
    return [
        (
            "SELECT a.*, r.code, r.text, s.title, e.code, e.name, ou.state, au.claimed_status, au.assessed_status"
            " FROM assignments a JOIN recommendations r ON r.id = a.recommendation_id JOIN briefing_sessions s ON s.id = r.session_id"
            " JOIN entities e ON e.id = a.entity_id LEFT JOIN progress_updates ou ON ou.id = a.open_update_id"
            " LEFT JOIN progress_updates au ON au.id = a.accepted_update_id WHERE a.id = %s",
            (assignment_id,),
        ),
        ("SELECT * FROM audit_events WHERE assignment_id = %s ORDER BY seq", (assignment_id,)),
    ]


def item_sql(recommendation_id: int) -> list:
    """Every addressee of the item (the tally counts them all) from the projection."""
    return [(
        "SELECT a.id, a.due, a.official_status, a.last_activity_at, a.accepted_update_id, a.accepted_round_id,"
        " a.open_update_state, e.code, e.name FROM assignments a JOIN entities e ON e.id = a.entity_id"
        " WHERE a.recommendation_id = %s ORDER BY e.name",
        (recommendation_id,),
    )]


def raw_time(database, queries: list, reps: int) -> float:
    raw = database.raw()
    try:
        if database.engine == "postgresql":
            raw.autocommit = True
        return median_time(lambda: _run(raw, database.engine, queries), reps)
    finally:
        raw.close()


def paired_times(database, app_fn, queries: list, reps: int) -> tuple[float, float, float]:
    """Time the app and the raw SQL in turns: (app median, raw median, median of the ratios).

    Taken in turns, a slow minute on a shared machine weighs on both sides of each ratio alike.
    """
    raw = database.raw()
    try:
        if database.engine == "postgresql":
            raw.autocommit = True
        app_fn(), _run(raw, database.engine, queries)
        pairs = []
        for _ in range(reps):
            start = time.perf_counter()
            app_fn()
            middle = time.perf_counter()
            _run(raw, database.engine, queries)
            pairs.append((middle - start, time.perf_counter() - middle))
    finally:
        raw.close()
    return statistics.median(a for a, _ in pairs), statistics.median(r for _, r in pairs), statistics.median(a / r for a, r in pairs)

