"""Load and concurrency on a real server: 50 focal points and 3 reviewers at once.

Gunicorn (4 workers) serves a copy of the test database on 127.0.0.1; 50 focal points of 50
States draft, edit and submit through the API while 3 reviewers accept or return what arrives.
Then: no 5xx, no "database is locked", every acceptance is in the event log, the chain
verifies, and two simultaneous saves of one draft give exactly one winner and one 409.

It runs for TRACKER_LOAD_SECONDS (8 in the test suite; `make load` runs 60 on both engines).
"""

import os
import queue
import random
import threading
import time

from sqlalchemy import select

from tests.conftest import dispose, make_app
from tests.resilience.test_crash import free_port, request, start_server

SECONDS = float(os.environ.get("TRACKER_LOAD_SECONDS", "8"))
FOCAL_POINTS, REVIEWERS = 50, 3


def test_fifty_focal_points_and_three_reviewers(app, create_user, tmp_path, database_url):
    from tracker.accounts.queries import find_user
    from tracker.api.operations import create_token
    from tracker.catalogue.models import Entity, EntityKind
    from tracker.extensions import db
    from tracker.progress.models import Assignment

    with app.app_context():
        states = db.session.scalars(select(Entity).where(Entity.kind == EntityKind.member_state).order_by(Entity.code).limit(FOCAL_POINTS)).all()
        work = {s.code: list(db.session.scalars(select(Assignment.id).where(Assignment.entity_id == s.id))) for s in states}
    focal = {}
    for code in work:
        email = create_user("focal_point", code)
        with app.app_context():
            focal[code] = create_token(find_user(email), "load")[1]
            db.session.commit()
    reviewers = []
    for _ in range(REVIEWERS):
        email = create_user("secretariat")
        with app.app_context():
            reviewers.append(create_token(find_user(email), "load")[1])
            db.session.commit()
    dispose(app)

    port = free_port()
    server = start_server(database_url, tmp_path, port)
    submitted, accepted, statuses = queue.Queue(), [], []
    lock = threading.Lock()
    stop = time.monotonic() + SECONDS

    def note(status):
        with lock:
            statuses.append(status)

    def focal_point(code):
        rng = random.Random(code)
        for assignment in work[code]:
            if time.monotonic() > stop:
                return
            status, update = request(port, "POST", f"/api/v1/assignments/{assignment}/updates", focal[code],
                                     {"status": rng.choice(["in_progress", "partially_implemented"]), "narrative": f"{code} reports."})
            note(status)
            if status != 201:
                continue
            status, update = request(port, "PATCH", f"/api/v1/updates/{update['id']}", focal[code], {"version": update["version"], "narrative": f"{code} reports, edited."})
            note(status)
            status, _ = request(port, "POST", f"/api/v1/updates/{update['id']}/submit", focal[code])
            note(status)
            if status == 200:
                submitted.put(update["id"])

    def reviewer(token):
        rng = random.Random(token)
        while time.monotonic() < stop + 2:
            try:
                update_id = submitted.get(timeout=0.2)
            except queue.Empty:
                continue
            decision = rng.choice(["accept", "accept", "return"])
            body = {"decision": decision, "assessed_status": "in_progress", "comment": "Reviewed under load."}
            status, _ = request(port, "POST", f"/api/v1/updates/{update_id}/review", token, body)
            note(status)
            if status == 200 and decision == "accept":
                with lock:
                    accepted.append(update_id)

    threads = [threading.Thread(target=focal_point, args=(code,)) for code in work]
    threads += [threading.Thread(target=reviewer, args=(token,)) for token in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 60)

    # Two people save the same draft at the same moment: one wins, the other gets 409.
    code = next(iter(work))
    spare = work[code][-1]
    status, draft = request(port, "POST", f"/api/v1/assignments/{spare}/updates", focal[code], {"status": "in_progress"})
    if status == 409:  # the burst already used it: withdraw is not needed, use its open update
        status, detail = request(port, "GET", f"/api/v1/assignments/{spare}", focal[code])
        status, draft = request(port, "GET", f"/api/v1/updates/{detail['open_update_id']}", focal[code])
    results = []
    barrier = threading.Barrier(2)

    def save(text):
        barrier.wait()
        results.append(request(port, "PATCH", f"/api/v1/updates/{draft['id']}", focal[code], {"version": draft["version"], "narrative": text})[0])

    racers = [threading.Thread(target=save, args=(t,)) for t in ("first", "second")]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    os.killpg(server.pid, 9)
    server.wait(timeout=10)
    server_log = server.stderr.read().decode(errors="replace")
    server.stderr.close()

    assert sorted(results) == [200, 409], results
    assert not [s for s in statuses if s >= 500 or s == 0], "server errors under load"
    assert "database is locked" not in server_log
    assert accepted, "no acceptance happened under load"
    check = make_app(database_url)
    try:
        with check.app_context():
            from tracker.audit.models import AuditEvent
            from tracker.audit.queries import verify

            assert verify().ok
            logged = set(db.session.scalars(select(AuditEvent.target_id).where(AuditEvent.kind == "update.accepted")))
            assert set(accepted) <= logged
    finally:
        dispose(check)
