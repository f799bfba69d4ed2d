"""Make the benchmark data: the real catalogue, 300 synthetic items addressed to every entity,
then progress updates and their audit events written in bulk with a valid hash chain.

The updates are written with plain SQL (executemany on SQLite, COPY on PostgreSQL) but carry
exactly what the operations would have written: the same rows, the same event payloads, the
chain computed with ``tracker.audit.models.chain_hash``, the assignments' projection and the
audit head kept in step, so ``flask audit verify`` passes on the result.

``Generator.grow(n)`` adds n updates and can be called again: the dataset is measured at
100,000 updates and then grown to 1,000,000.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta, timezone

from bench.databases import SEED_DIR, Database

SYNTHETIC_ITEMS = 300
START = datetime(2018, 10, 9, 9, 0, tzinfo=timezone.utc)
END = datetime(2019, 2, 14, 18, 0, tzinfo=timezone.utc)  # the day before the bench's "today"
STATUSES = ["in_progress"] * 4 + ["partially_implemented"] * 3 + ["implemented"] * 2 + ["not_applicable"]
CONFIDENTIALITY = ("entity", "committee", "public")
OPEN_STATES = ("draft", "submitted", "returned")
BATCH = 20_000  # updates per write batch, so the generator's memory stays flat
FILLER = (
    " Legislation was reviewed by the inter-ministerial working group and the competent authorities were"
    " briefed; the next steps and the resources needed are set out in the national action plan."
)

AUDIT_COLUMNS = (
    "seq", "occurred_at", "actor_id", "actor_label", "actor_role", "kind", "target_type", "target_id",
    "entity_id", "assignment_id", "recommendation_id", "data", "prev_hash", "hash",
)
UPDATE_COLUMNS = (
    "id", "assignment_id", "round_id", "entity_id", "author_id", "state", "claimed_status", "narrative",
    "confidentiality", "created_at", "updated_at", "submitted_at", "reviewed_at", "reviewed_by_id",
    "assessed_status", "assessment_reason", "return_comment", "version",
)
EVIDENCE_COLUMNS = ("id", "update_id", "kind", "url", "added_at", "added_by_id")


from tracker.audit.models import canonical_json as canonical, chain_hash  # noqa: E402


class _Assignment:
    __slots__ = ("id", "recommendation_id", "entity_id", "item", "entity", "author", "official", "official_since",
                 "accepted", "published", "open", "last", "version", "rounds", "touched")

    def __init__(self, id_, recommendation_id, entity_id, item, entity):
        self.id, self.recommendation_id, self.entity_id, self.item, self.entity = id_, recommendation_id, entity_id, item, entity
        self.official, self.official_since, self.accepted, self.published = "not_started", None, None, None
        self.open = None  # the open update, as a dict, or None
        self.last, self.version, self.rounds, self.touched = None, 1, 0, False


class Generator:
    def __init__(self, database: Database, app, total_planned: int, log=print):
        self.database, self.app, self.log = database, app, log
        self.step = (END - START) / max(total_planned, 1)
        self.updates = 0  # how many updates exist
        self._stamp = _identity if database.engine == "postgresql" else _sqlite_stamp

    # Setup: migrations, the real catalogue, synthetic items, accounts

    def setup(self) -> None:
        from flask_migrate import upgrade
        from sqlalchemy import select

        from bench.databases import TODAY
        from tracker.accounts.models import Role
        from tracker.accounts.operations import create_user
        from tracker.catalogue import catalogue_file
        from tracker.catalogue.models import (
            BriefingSession,
            Entity,
            EntityKind,
            Recommendation,
            RecommendationKind,
            ReportingRound,
            SourceParagraph,
            Theme,
        )
        from tracker.catalogue.operations import seed_catalogue
        from tracker.extensions import db
        from tracker.progress.operations import ensure_assignments

        with self.app.app_context():
            upgrade()
            seed_catalogue(catalogue_file.load(SEED_DIR))
            db.session.commit()
            entities = db.session.scalars(select(Entity).order_by(Entity.id)).all()
            agencies = [e for e in entities if e.kind is not EntityKind.member_state]
            sessions = db.session.scalars(select(BriefingSession).order_by(BriefingSession.position)).all()
            themes = db.session.scalars(select(Theme).order_by(Theme.id)).all()
            first = db.session.scalars(select(Recommendation).order_by(Recommendation.id)).first()
            position = max(db.session.scalars(select(Recommendation.position))) + 1
            paragraph_of = {}
            for p in db.session.scalars(select(SourceParagraph).order_by(SourceParagraph.number)):
                paragraph_of.setdefault(p.session_id, p.id)
            usable = [s for s in sessions if s.id in paragraph_of]
            for n in range(SYNTHETIC_ITEMS):
                session = usable[n % len(usable)]
                db.session.add(Recommendation(
                    briefing_id=first.briefing_id, session_id=session.id, source_paragraph_id=paragraph_of[session.id],
                    code=f"B.{n + 1}", position=position + n, kind=RecommendationKind.recommendation,
                    text=f"Synthetic benchmark item {n + 1}: strengthen cooperation against the financing of terrorism.",
                    source_quote="States should strengthen cooperation.", resolutions=["2195 (2014)"],
                    addressed_to_member_states=True,
                    due=date(2019, 1, 31) if n % 4 == 0 else date(2019, 3, 31), due_note="Benchmark.",
                    themes=[themes[n % len(themes)]] if themes else [], entities=agencies,
                ))
            db.session.flush()
            added = ensure_assignments()
            # One focal point per entity writes its updates; three accounts sign in.
            for e in entities:
                password = PASSWORD if e.code == "FRA" else None
                create_user(f"fp.{e.code.lower()}@bench.example.org", f"Focal point {e.code}", Role.focal_point, e, password=password)
            create_user("secretariat@bench.example.org", "Bench secretariat", Role.secretariat, password=PASSWORD)
            create_user("auditor@bench.example.org", "Bench auditor", Role.auditor, password=PASSWORD)
            db.session.commit()
            self.round_id = db.session.scalar(select(ReportingRound.id).order_by(ReportingRound.due))
            assert TODAY
        self.log(f"  seeded: {len(entities)} entities, {SYNTHETIC_ITEMS} synthetic items, {added} assignments added")
        self._load_state()

    def _load_state(self) -> None:
        raw = self.database.raw()
        cur = raw.cursor()
        cur.execute(
            "SELECT a.id, a.recommendation_id, a.entity_id, r.code, e.code FROM assignments a"
            " JOIN recommendations r ON r.id = a.recommendation_id JOIN entities e ON e.id = a.entity_id ORDER BY a.id"
        )
        self.assignments = [_Assignment(*row) for row in cur.fetchall()]
        cur.execute("SELECT u.entity_id, u.id, u.email FROM users u WHERE u.role = 'focal_point'")
        authors = {entity_id: (uid, email) for entity_id, uid, email in cur.fetchall()}
        for a in self.assignments:
            a.author = authors[a.entity_id]
        cur.execute("SELECT id, email FROM users WHERE role = 'secretariat'")
        self.reviewer = cur.fetchone()
        cur.execute("SELECT seq, hash FROM audit_head WHERE id = 1")
        self.seq, self.hash = cur.fetchone()
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM progress_updates")
        self.next_update = cur.fetchone()[0] + 1
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM evidence")
        self.next_evidence = cur.fetchone()[0] + 1
        raw.close()

    # Growing the history

    def grow(self, count: int) -> None:
        """Add ``count`` updates (round robin over the assignments) with all their events, in one transaction."""
        raw = self.database.raw()
        pg = self.database.engine == "postgresql"
        if not pg:
            raw.execute("PRAGMA synchronous = OFF")
            raw.execute("BEGIN IMMEDIATE")
        else:
            raw.autocommit = False
        try:
            cur = raw.cursor()  # the app may have written events since (sign-ins): continue from the head
            cur.execute("SELECT seq, hash FROM audit_head WHERE id = 1")
            self.seq, self.hash = cur.fetchone()
            cur.execute("SELECT COALESCE(MAX(id), 0) FROM progress_updates")
            self.next_update = max(self.next_update, cur.fetchone()[0] + 1)
            self._events, self._updates, self._evidence, self._reopened = [], [], [], []
            self._close_open(self._time(self.updates))
            first, last = self.updates, self.updates + count
            n_assignments = len(self.assignments)
            for k in range(first, last):
                a = self.assignments[k % n_assignments]
                state = "accepted"
                if k >= last - n_assignments and a.id % 8 == 0:
                    state = OPEN_STATES[(a.id // 8) % 3]
                self._update(a, k, state)
                if len(self._updates) >= BATCH:
                    self._flush(raw)
            self.updates = last
            self._flush(raw)
            self._finish(raw)
            if pg:
                raw.commit()
            else:
                raw.execute("COMMIT")
        except BaseException:
            if pg:
                raw.rollback()
            else:
                raw.execute("ROLLBACK")
            raise
        finally:
            raw.close()

    def _time(self, k: int) -> datetime:
        return START + self.step * k

    def _event(self, when, actor, kind, a, update_id, data) -> None:
        self.seq += 1
        payload = {
            "seq": self.seq, "occurred_at": when.isoformat(), "actor_id": actor[0], "actor_label": actor[1],
            "actor_role": actor[2], "kind": kind, "target_type": "progress_updates", "target_id": update_id,
            "entity_id": a.entity_id, "assignment_id": a.id, "recommendation_id": a.recommendation_id,
            "data": {"assignment_id": a.id, "item": a.item, **data},
        }
        data_json = canonical(payload["data"])
        digest = chain_hash(self.hash, payload)
        self._events.append((self.seq, self._stamp(when), actor[0], actor[1], actor[2], kind, "progress_updates", update_id,
                             a.entity_id, a.id, a.recommendation_id, data_json, self.hash, digest))
        self.hash = digest
        a.last, a.version, a.touched = when, a.version + 1, True

    def _content(self, u) -> dict:
        return {"claimed_status": u["claimed"], "narrative": u["narrative"], "confidentiality": u["conf"], "evidence": u["evidence"]}

    def _update(self, a: _Assignment, k: int, state: str) -> None:
        r = a.rounds
        a.rounds += 1
        claimed = STATUSES[(a.id * 7 + r * 3) % len(STATUSES)]
        uid = self.next_update
        self.next_update += 1
        u = {
            "id": uid, "claimed": claimed, "conf": CONFIDENTIALITY[(a.id + r) % 3], "evidence": [],
            "narrative": f"Update {r + 1} from {a.entity} on {a.item}: {claimed.replace('_', ' ')}.{FILLER}",
            "state": "draft", "version": 1, "created": None, "updated": None, "submitted": None, "comment": None,
        }
        author = (a.author[0], a.author[1], "focal_point")
        t = self._time(k) + timedelta(milliseconds=50)
        u["created"] = u["updated"] = t
        if claimed == "implemented":
            eid = self.next_evidence
            self.next_evidence += 1
            url = f"https://example.org/{a.entity.lower()}/{a.item}/{r + 1}"
            self._evidence.append((eid, uid, "link", url, self._stamp(t), author[0]))
            u["evidence"] = [{"id": eid, "kind": "link", "url": url}]
        self._event(t, author, "update.created", a, uid,
                    {"update_id": uid, "state": "draft", "content_sha256": _digest(self._content(u))})
        a.open = u
        self._advance(a, u, state, t)
        self._updates.append(self._row(a, u))

    def _advance(self, a: _Assignment, u: dict, state: str, t: datetime) -> datetime:
        """Walk an update from where it is to ``state`` (draft, submitted, returned or accepted)."""
        author = (a.author[0], a.author[1], "focal_point")
        reviewer = (self.reviewer[0], self.reviewer[1], "secretariat")
        if state == "draft":
            return t
        if u["state"] in ("draft", "returned"):
            t += timedelta(microseconds=1000)
            u["state"], u["submitted"], u["updated"], u["version"] = "submitted", t, t, u["version"] + 1
            self._event(t, author, "update.submitted", a, u["id"], {"update_id": u["id"], **self._content(u)})
        if state == "submitted":
            return t
        t += timedelta(microseconds=1000)
        if state == "returned":
            comment = "Please add the reference of the law."
            u["state"], u["comment"], u["updated"], u["version"] = "returned", comment, t, u["version"] + 1
            self._event(t, reviewer, "update.returned", a, u["id"], {"update_id": u["id"], "comment": comment})
            return t
        before = a.official
        u["state"], u["reviewed"], u["version"] = "accepted", t, u["version"] + 1
        a.official, a.official_since, a.accepted, a.open = u["claimed"], t, u["id"], None
        if u["conf"] == "public":
            a.published = u["id"]
        self._event(t, reviewer, "update.accepted", a, u["id"], {
            "update_id": u["id"], "claimed_status": u["claimed"], "assessed_status": u["claimed"], "reason": None,
            "official_status": {"before": before, "after": u["claimed"]},
        })
        return t

    def _row(self, a: _Assignment, u: dict) -> tuple:
        accepted = u["state"] == "accepted"
        stamp = self._stamp
        return (
            u["id"], a.id, self.round_id, a.entity_id, a.author[0], u["state"], u["claimed"], u["narrative"], u["conf"],
            stamp(u["created"]), stamp(u["updated"]), stamp(u["submitted"]), stamp(u.get("reviewed")) if accepted else None,
            self.reviewer[0] if accepted else None, u["claimed"] if accepted else None, None, u["comment"], u["version"],
        )

    def _close_open(self, when: datetime) -> None:
        """Before growing again, the updates left open by the last growth are accepted."""
        t = when
        for a in self.assignments:
            if a.open is not None:
                u = a.open
                t = self._advance(a, u, "accepted", t - timedelta(microseconds=1000) + timedelta(microseconds=10))
                self._reopened.append(self._row(a, u))

    # Writing

    def _flush(self, raw) -> None:
        pg = self.database.engine == "postgresql"
        cur = raw.cursor()
        if pg:
            self._copy(cur, "progress_updates", UPDATE_COLUMNS, self._updates)
            self._copy(cur, "evidence", EVIDENCE_COLUMNS, self._evidence)
            self._copy(cur, "audit_events", AUDIT_COLUMNS, self._events)
        else:
            self._insert(cur, "progress_updates", UPDATE_COLUMNS, self._updates)
            self._insert(cur, "evidence", EVIDENCE_COLUMNS, self._evidence)
            self._insert(cur, "audit_events", AUDIT_COLUMNS, self._events)
        if self._reopened:
            # (id, ..., state 5, ..., updated 10, submitted 11, reviewed 12, reviewer 13, assessed 14, -, comment 16, version 17)
            sql = (
                "UPDATE progress_updates SET state = %s, updated_at = %s, submitted_at = %s, reviewed_at = %s,"
                " reviewed_by_id = %s, assessed_status = %s, return_comment = %s, version = %s WHERE id = %s"
            )
            rows = [(r[5], r[10], r[11], r[12], r[13], r[14], r[16], r[17], r[0]) for r in self._reopened]
            if not pg:
                sql = sql.replace("%s", "?")
            cur.executemany(sql, rows)
            self._reopened = []
        self._events, self._updates, self._evidence = [], [], []

    @staticmethod
    def _copy(cur, table, columns, rows) -> None:
        if not rows:
            return
        with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    @staticmethod
    def _insert(cur, table, columns, rows) -> None:
        if rows:
            cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows)

    def _finish(self, raw) -> None:
        """Bring the assignments' projection and the audit head in line with what was written."""
        pg = self.database.engine == "postgresql"
        rows = [
            (a.official, self._stamp(a.official_since), a.accepted, a.published, a.open["id"] if a.open else None,
             self._stamp(a.last), a.version, a.id)
            for a in self.assignments if a.touched
        ]
        sql = (
            "UPDATE assignments SET official_status = %s, official_since = %s, accepted_update_id = %s,"
            " published_update_id = %s, open_update_id = %s, last_activity_at = %s, version = %s WHERE id = %s"
        )
        cur = raw.cursor()
        if pg:
            cur.executemany(sql, rows)
            cur.execute("UPDATE audit_head SET seq = %s, hash = %s WHERE id = 1", (self.seq, self.hash))
            for table in ("progress_updates", "evidence"):  # COPY with ids does not move the sequences
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)")
        else:
            cur.executemany(sql.replace("%s", "?"), rows)
            cur.execute("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (self.seq, self.hash))
        # The projection's copies of the open update's state and the accepted update's round.
        cur.execute(
            "UPDATE assignments SET"
            " open_update_state = (SELECT state FROM progress_updates WHERE progress_updates.id = assignments.open_update_id),"
            " accepted_round_id = (SELECT round_id FROM progress_updates WHERE progress_updates.id = assignments.accepted_update_id)"
        )
        for a in self.assignments:
            a.touched = False

    def maintain(self) -> None:
        """PostgreSQL: what autovacuum would have done by now (statistics, visibility map)."""
        if self.database.engine == "postgresql":
            raw = self.database.raw()
            raw.execute("VACUUM ANALYZE")
            raw.close()


PASSWORD = "a long and unguessable passphrase 42"


def _digest(value) -> str:
    return hashlib.sha256(canonical(value).encode("utf-8")).hexdigest()


def _identity(value):
    return value


def _sqlite_stamp(value: datetime | None) -> str | None:
    """A UTC timestamp as SQLAlchemy stores it on SQLite: 'YYYY-MM-DD HH:MM:SS.ffffff'."""
    if value is None:
        return None
    text = value.isoformat(sep=" ")[:-6]  # always UTC here: drop '+00:00'
    return text if len(text) > 19 else text + ".000000"
