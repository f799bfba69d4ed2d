"""make bench  ->  python -m bench [--engine sqlite|postgresql|both] [--updates N] [--quick]

Generates the data at scale on each engine, measures every hot path beside its baseline, prints
one table and exits non-zero when a target is missed. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
import socket
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta

from bench import load, pages, writers
from bench.databases import ROOT, TODAY, Database
from bench.generate import Generator

ROWS: list[dict] = []


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def row(engine, path, app, baseline, ratio, target, ok, unit=""):
    ROWS.append({"engine": engine, "path": path, "app": app, "baseline": baseline,
                 "ratio": "—" if ratio is None else f"{ratio:.2f}", "target": target,
                 "result": "info" if ok is None else ("PASS" if ok else "FAIL")})


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def timed(engine, path, app_s, base_s, limit):
    ratio = app_s / base_s
    row(engine, path, ms(app_s), ms(base_s), ratio, f"≤ {limit}×", ratio <= limit)


def rated(engine, path, app_rate, base_rate, limit, unit="/s"):
    ratio = app_rate / base_rate
    row(engine, path, f"{app_rate:.1f}{unit}", f"{base_rate:.1f}{unit}", ratio, f"≥ {limit}×", ratio >= limit)


# One engine


class Run:
    def __init__(self, engine: str, updates: int, quick: bool):
        self.engine, self.updates, self.quick = engine, updates, quick
        self.reps = 3 if quick else 7
        self.db = Database(engine)

    def app(self):
        from tracker import create_app

        return create_app(self.db.config())

    def main(self) -> None:
        from tracker.extensions import db as sa

        e = self.engine
        started = time.monotonic()
        app = self.app()
        generator = Generator(self.db, app, self.updates, log=log)
        generator.setup()
        small = self.updates // 10
        log(f"[{e}] growing to {small:,} updates")
        generator.grow(small)
        generator.maintain()
        with app.app_context():
            sa.engine.dispose()
        secretariat = pages.signed_in(app, pages.SECRETARIAT)
        dash_small = pages.median_time(lambda: pages.fetch_computed(app, secretariat, "/reports/"), self.reps)
        log(f"[{e}] dashboard at {small:,} updates: {ms(dash_small)}; growing to {self.updates:,}")
        generator.grow(self.updates - small)
        generator.maintain()
        generation = time.monotonic() - started
        self.facts(generator)
        log(f"[{e}] data ready in {generation:.0f} s: {self.facts_text}")
        with app.app_context():
            sa.engine.dispose()
        self.pages(app, dash_small, small)
        self.exports()
        self.gunicorn()
        self.writes(app)
        self.generation = generation
        self.total = time.monotonic() - started

    def facts(self, generator) -> None:
        raw = self.db.raw()
        cur = raw.cursor()
        counts = {}
        for table in ("entities", "recommendations", "assignments", "progress_updates", "audit_events"):
            cur.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cur.fetchone()[0]
        cur.execute("SELECT a.id, a.recommendation_id, a.entity_id FROM assignments a JOIN recommendations r ON r.id = a.recommendation_id"
                    " JOIN entities e ON e.id = a.entity_id WHERE e.code = 'FRA' AND r.code = 'B.1'")
        self.assignment_id, self.recommendation_id, self.fra_id = cur.fetchone()
        cur.execute("SELECT b.code FROM briefings b JOIN recommendations r ON r.briefing_id = b.id WHERE r.code = 'B.1'")
        self.briefing = cur.fetchone()[0]
        self.round_id = generator.round_id
        raw.close()
        self.counts = counts
        self.facts_text = ", ".join(f"{v:,} {k}" for k, v in counts.items())

    # Pages in process

    def pages(self, app, dash_small: float, small: int) -> None:
        e, reps = self.engine, self.reps
        focal = pages.signed_in(app, pages.FOCAL)
        secretariat = pages.signed_in(app, pages.SECRETARIAT)
        dash, dash_raw, ratio = pages.paired_times(
            self.db, lambda: pages.fetch_computed(app, secretariat, "/reports/"), pages.dashboard_sql(self.round_id, TODAY, e), reps
        )
        row(e, "dashboard vs raw SQL aggregate", ms(dash), ms(dash_raw), ratio, "≤ 1.5×", ratio <= 1.5)
        ratio = dash / dash_small
        row(e, f"dashboard at {self.updates:,} vs {small:,} updates", ms(dash), ms(dash_small), ratio, "≤ 1.5×", ratio <= 1.5)
        checks = [
            ("worklist page", "/worklist", pages.FOCAL, focal, pages.worklist_sql(self.fra_id)),
            ("assignment page", f"/assignments/{self.assignment_id}", pages.FOCAL, focal, pages.assignment_sql(self.assignment_id)),
            ("item page (reports)", f"/reports/briefings/{self.briefing}/items/B.1", pages.SECRETARIAT, secretariat,
             pages.item_sql(self.recommendation_id)),
        ]
        self.page_paths = {"dashboard": ("/reports/", pages.SECRETARIAT)}
        for name, path, email, client, sql in checks:
            app_s = pages.median_time(lambda: pages.fetch(client, path), reps)
            raw_s = pages.raw_time(self.db, sql, reps)
            render_s = pages.render_alone(app, path, email, reps)
            log(f"[{e}] {name}: app {ms(app_s)}, raw SQL {ms(raw_s)}, render alone {ms(render_s)}")
            timed(e, f"{name} vs raw SQL + render", app_s, raw_s + render_s, 4.5)
            self.page_paths[name.split()[0]] = (path, email)

    # Exports in subprocesses

    def _child(self, *args) -> dict:
        env = {**os.environ, **self.db.env(), "PYTHONPATH": str(ROOT)}
        out = subprocess.run([sys.executable, "-m", "bench.export_child", *args], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=3600)
        for line in out.stdout.splitlines():
            if line.startswith("BENCH-RESULT "):
                return json.loads(line.split(" ", 1)[1])
        raise RuntimeError(f"export child failed: {out.stderr[-3000:]}")

    def _date_for(self, rows: int) -> str:
        """The last whole day such that events up to its end number at most ``rows`` (they are in time order)."""
        raw = self.db.raw()
        cur = raw.cursor()
        sql = "SELECT occurred_at FROM audit_events WHERE kind LIKE 'update.%%' ORDER BY seq LIMIT 1 OFFSET %s"
        cur.execute(sql.replace("%%", "%").replace("%s", "?") if self.engine == "sqlite" else sql, (rows,))
        found = cur.fetchone()
        raw.close()
        day = date.fromisoformat(str(found[0])[:10]) if found else date.fromisoformat(TODAY)
        return (day - timedelta(days=1)).isoformat()

    def exports(self) -> None:
        e = self.engine
        large = min(1_000_000, self.counts["audit_events"]) if not self.quick else 100_000
        small = large // 10
        d_small, d_large = self._date_for(small), self._date_for(large)
        result = {}
        for fmt in ("csv", "xlsx"):
            for size, day in (("small", d_small), ("large", d_large)):
                result[fmt, size] = self._child("app", fmt, day)
                log(f"[{e}] app {fmt} export to {day}: {result[fmt, size]}")
        for size, day in (("small", d_small), ("large", d_large)):
            result["raw", size] = self._child("raw", "csv", day)
            log(f"[{e}] raw csv export to {day}: {result['raw', size]}")
        n_small, n_large = result["raw", "small"]["rows"], result["raw", "large"]["rows"]
        assert result["csv", "large"]["rows"] == n_large, (result["csv", "large"]["rows"], n_large)
        label = f"{n_large:,} rows"
        # The time ratio: app and raw exports run in turns, the median of the pairs' ratios, so that
        # a slow minute on a shared machine weighs on both sides alike.
        pairs = [(result["csv", "large"]["seconds"], result["raw", "large"]["seconds"])]
        for _ in range(2):
            pairs.append((self._child("app", "csv", d_large)["seconds"], self._child("raw", "csv", d_large)["seconds"]))
        log(f"[{e}] csv export (app s, raw s) pairs: {pairs}")
        app_s, raw_s = statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)
        ratio = statistics.median(a / r for a, r in pairs)
        row(e, f"CSV export {label} vs raw {'sqlite3' if e == 'sqlite' else 'psycopg'} + csv", ms(app_s), ms(raw_s),
            ratio, "≤ 1.5×", ratio <= 1.5)
        ratio = result["xlsx", "large"]["seconds"] / result["raw", "large"]["seconds"]
        row(e, f"XLSX export {label} vs raw + csv", ms(result["xlsx", "large"]["seconds"]), ms(result["raw", "large"]["seconds"]),
            ratio, "—", None)
        for fmt in ("csv", "xlsx"):
            growth = {s: (result[fmt, s]["peak_kb"] - result[fmt, s]["before_kb"]) / 1024 for s in ("small", "large")}
            delta = growth["large"] - growth["small"]
            row(e, f"{fmt.upper()} export peak RSS growth {n_small:,}→{n_large:,} rows", f"{delta:+.1f} MB",
                f"{growth['small']:.1f}→{growth['large']:.1f} MB", None, "≤ 16 MB", delta <= 16)

    # gunicorn

    def gunicorn(self) -> None:
        e = self.engine
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        workers = os.cpu_count() or 2
        env = {**os.environ, **self.db.env(), "PYTHONPATH": str(ROOT)}
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        proc = subprocess.Popen([gunicorn, "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                                 "--timeout", "120", "bench.wsgi:app"], env=env, cwd=ROOT)
        seconds = 3.0 if self.quick else 8.0
        try:
            load.wait_ready(port)
            cookies = {email: load.login(port, email, pages.PASSWORD) for email in (pages.FOCAL, pages.SECRETARIAT)}
            load.hammer(port, "/bench/minimal", seconds=1.0)  # warm up
            minimal = load.hammer(port, "/bench/minimal", seconds=seconds, threads=2 * workers)
            log(f"[{e}] gunicorn minimal route: {minimal}")
            for name, (path, email) in self.page_paths.items():
                load.hammer(port, path, cookies[email], seconds=1.0, threads=2 * workers)
                found = load.hammer(port, path, cookies[email], seconds=seconds, threads=2 * workers)
                log(f"[{e}] gunicorn {name}: {found}")
                ok_requests = found["failed"] == 0
                ratio = found["rps"] / minimal["rps"]
                row(e, f"gunicorn {name} req/s vs minimal route", f"{found['rps']:.1f}/s", f"{minimal['rps']:.1f}/s",
                    ratio, "≥ 0.03×", ratio >= 0.03 and ok_requests)
        finally:
            proc.terminate()
            proc.wait(timeout=30)

    # Writes

    def writes(self, app) -> None:
        from tracker.extensions import db as sa

        e = self.engine
        n = 40 if self.quick else 150
        free = writers.free_assignments(self.db, 2 * n + (8 * n if e == "sqlite" else 0))
        app_ids, raw_ids, rest = free[:n], free[n:2 * n], free[2 * n:]
        with app.app_context():
            start = time.perf_counter()
            writers.submit_through_operations(app_ids)
            app_rate = n / (time.perf_counter() - start)
            sa.session.remove()
            sa.engine.dispose()
        start = time.perf_counter()
        writers.submit_raw(self.db, raw_ids)
        raw_rate = n / (time.perf_counter() - start)
        rated(e, "submit update (operations) vs raw SQL tx", app_rate, raw_rate, 0.03, " tx/s")
        if e == "sqlite":
            single = writers.concurrent_writers(self.db, rest[: 2 * n], 1)
            four = writers.concurrent_writers(self.db, rest[2 * n :][: 4 * n], 4)
            log(f"[{e}] writers: one {single}, four {four}")
            ratio = four["rate"] / single["rate"]
            row(e, "4 concurrent writers vs 1 (create+submit)", f"{four['rate']:.1f} tx/s, {four['locked']} locked",
                f"{single['rate']:.1f} tx/s", ratio, "≥ 0.5×, 0 locked",
                ratio >= 0.5 and four["errors"] == 0 and single["errors"] == 0)

    def close(self) -> None:
        self.db.drop()


def table() -> str:
    headers = ["engine", "path", "app", "baseline", "ratio", "target", "result"]
    widths = [max(len(h), *(len(str(r[h])) for r in ROWS)) for h in headers]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(str(r[h]).ljust(w) for h, w in zip(headers, widths)) for r in ROWS]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--updates", type=int, default=None, help="progress updates to generate (default 1,000,000)")
    parser.add_argument("--quick", action="store_true", help="100,000 updates and fewer repetitions: a smoke run")
    args = parser.parse_args(argv)
    updates = args.updates or (100_000 if args.quick else 1_000_000)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    os.environ.setdefault("TRACKER_INSTANCE_PATH", os.path.join(tempfile.gettempdir(), "tracker-bench-instance"))
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    notes = []
    started = time.monotonic()
    for engine in engines:
        run = Run(engine, updates, args.quick)
        try:
            run.main()
            notes.append(f"{engine}: generation {run.generation:.0f} s, whole run {run.total:.0f} s; {run.facts_text}")
        except Exception as exc:  # a crash is a failed benchmark, reported, never a silent pass
            import traceback

            traceback.print_exc()
            row(engine, "benchmark run", "crashed", "—", None, "completes", False)
            notes.append(f"{engine}: crashed: {exc!r}")
        finally:
            run.close()
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    print(f"\nCTC tracker benchmark: {updates:,} updates{' (quick)' if args.quick else ''}; {os.cpu_count()} CPUs, {cpu}")
    for note in notes:
        print(note)
    print(table())
    failed = [r for r in ROWS if r["result"] == "FAIL"]
    print(f"\n{len(ROWS) - len(failed)} of {len(ROWS)} rows pass; total {time.monotonic() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
