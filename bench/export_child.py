"""One timeline export in a process of its own, so its time and peak memory are its alone.

python -m bench.export_child app|raw csv|xlsx DATE_TO   (BENCH_DATABASE_URL and BENCH_FOLDER set)
Prints one JSON line: seconds, rows, bytes, and the peak RSS growth during the export (KiB).
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from datetime import date, datetime, time as dtime, timedelta, timezone

COLUMNS = (
    "seq, occurred_at, actor_id, actor_label, actor_role, kind, target_type, target_id, entity_id,"
    " assignment_id, recommendation_id, data, prev_hash, hash"
)


def _status(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def reset_peak() -> int:
    """Reset VmHWM to the current RSS where the kernel allows it; return the RSS (KiB)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    return _status("VmRSS")


class Sink:
    """A file-like object that only counts what is written."""

    def __init__(self):
        self.bytes = 0
        self.tail = ""

    def write(self, text):
        self.bytes += len(text)
        self.tail = text[-4000:] if isinstance(text, str) else ""
        return len(text)


def app_export(fmt: str, date_to: str) -> dict:
    from bench.databases import app_from_env
    from bench.pages import AUDITOR, signed_in

    app = app_from_env()
    client = signed_in(app, AUDITOR)
    client.get("/timeline")  # warm the app's code paths and connection pool
    before = reset_peak()
    start = time.perf_counter()
    response = client.get(f"/timeline/export.{fmt}?date_to={date_to}", buffered=False)
    assert response.status_code == 200, response.status_code
    sink, tail = Sink(), b""
    for chunk in response.iter_encoded():
        sink.bytes += len(chunk)
        tail = (tail + chunk)[-4000:]
    response.close()
    seconds = time.perf_counter() - start
    rows = None
    if fmt == "csv":
        manifest = tail.decode("utf-8", "replace").rsplit("#manifest,", 1)[-1]
        rows = json.loads(next(csv.reader([manifest.strip()]))[0])["rows"]
    return {"seconds": seconds, "rows": rows, "bytes": sink.bytes, "before_kb": before, "peak_kb": _status("VmHWM")}


def raw_export(date_to: str) -> dict:
    url = os.environ["BENCH_DATABASE_URL"]
    cutoff = datetime.combine(date.fromisoformat(date_to) + timedelta(days=1), dtime.min, timezone.utc)
    sink = Sink()
    writer = csv.writer(sink, lineterminator="\r\n")
    if url.startswith("sqlite"):
        import sqlite3

        connection = sqlite3.connect(url.split("sqlite:///", 1)[1])
        before = reset_peak()
        start = time.perf_counter()
        cursor = connection.execute(
            f"SELECT {COLUMNS} FROM audit_events WHERE occurred_at < ? ORDER BY seq", (cutoff.strftime("%Y-%m-%d %H:%M:%S.%f"),)
        )
        writer.writerow([c.strip() for c in COLUMNS.split(",")])
        rows = 0
        for row in cursor:
            writer.writerow(row)
            rows += 1
    else:
        import psycopg

        connection = psycopg.connect(host="127.0.0.1", user="postgres", dbname=url.rsplit("/", 1)[1])
        before = reset_peak()
        start = time.perf_counter()
        with connection.cursor(name="export") as cursor:  # server-side: streams
            cursor.itersize = 2000
            cursor.execute(f"SELECT {COLUMNS} FROM audit_events WHERE occurred_at < %s ORDER BY seq", (cutoff,))
            writer.writerow([c.strip() for c in COLUMNS.split(",")])
            rows = 0
            for row in cursor:
                writer.writerow(row)
                rows += 1
    seconds = time.perf_counter() - start
    connection.close()
    return {"seconds": seconds, "rows": rows, "bytes": sink.bytes, "before_kb": before, "peak_kb": _status("VmHWM")}


def main() -> None:
    mode, fmt, date_to = sys.argv[1:4]
    result = app_export(fmt, date_to) if mode == "app" else raw_export(date_to)
    print("BENCH-RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
