"""Kill the server in the middle of a burst of writes: nothing is half-written, the chain verifies.

Gunicorn serves the app on 127.0.0.1 from a copy of the test database; focal points of several
States create and submit updates through the API, and the whole server is killed (SIGKILL) while
they write. Every update that exists then has its audit events, the projection agrees with the
updates, and the chain verifies; a restarted server serves again.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import ROOT, dispose, make_app

STATES = ["FRA", "NGA", "DEU", "BRA"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(database_url: str, instance: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "TRACKER_MODE": "testing", "TRACKER_INSTANCE_PATH": str(instance),
           "SECRET_KEY": "s" * 40}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "app:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2) as response:
                if response.status == 200:
                    return process
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    process.kill()
    raise AssertionError("gunicorn did not start: " + process.stderr.read().decode()[-2000:])


def kill(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    process.stderr.close()


def request(port, method, path, token, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, {}
    except OSError:  # the server died under the request: that is the point
        return 0, {}


@pytest.fixture
def tokens(app, create_user):
    from tracker.accounts.queries import find_user
    from tracker.api.operations import create_token
    from tracker.extensions import db

    made = {}
    for code in STATES:
        email = create_user("focal_point", code)
        with app.app_context():
            made[code] = create_token(find_user(email), "burst")[1]
            db.session.commit()
    return made


def test_killed_mid_burst_leaves_nothing_half_written(app, database_url, tokens, reporting, tmp_path):
    assignments = {code: [reporting.assignment(code, item) for item in ("I.1", "I.3", "I.4", "I.5", "I.6", "II.1", "II.2", "III.1", "III.2", "III.3", "III.4", "III.5", "III.6", "III.7", "INT.1", "INT.2", "INT.3", "IS.1", "IS.2")]
                   for code in STATES}
    dispose(app)  # the server owns the database now
    port = free_port()
    server = start_server(database_url, tmp_path, port)
    done = {"created": 0}
    stop = threading.Event()

    def writer(code):
        for assignment in assignments[code]:
            if stop.is_set():
                return
            status, update = request(port, "POST", f"/api/v1/assignments/{assignment}/updates", tokens[code],
                                     {"status": "in_progress", "narrative": f"{code} burst", "evidence_urls": ["https://example.org/x"]})
            if status == 201:
                done["created"] += 1
                request(port, "POST", f"/api/v1/updates/{update['id']}/submit", tokens[code])

    threads = [threading.Thread(target=writer, args=(code,)) for code in STATES]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 20
    while done["created"] < 12 and time.monotonic() < deadline:
        time.sleep(0.01)
    kill(server)  # mid-burst: requests in flight die with it
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert done["created"] >= 12, "the burst did not get going before the kill"

    check = make_app(database_url)
    try:
        with check.app_context():
            from tracker.audit.models import AuditEvent
            from tracker.audit.queries import verify
            from tracker.extensions import db
            from tracker.progress.models import Assignment, ProgressUpdate, UpdateState

            assert verify().ok
            updates = db.session.scalars(select(ProgressUpdate)).all()
            assert len(updates) >= done["created"]
            kinds = {}
            for event in db.session.scalars(select(AuditEvent).where(AuditEvent.target_type == "progress_updates")):
                kinds.setdefault(event.target_id, set()).add(event.kind)
            for update in updates:
                assert "update.created" in kinds.get(update.id, set()), update.id
                if update.state is UpdateState.submitted:
                    assert "update.submitted" in kinds[update.id]
                assert db.session.get(Assignment, update.assignment_id).open_update_id == update.id
    finally:
        dispose(check)

    restarted = start_server(database_url, tmp_path, free_port())
    kill(restarted)
