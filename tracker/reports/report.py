"""The progress report for the joint special meeting, as plain data.

The report is built once as a JSON-serializable document; the HTML page, the PDF and a frozen
copy all render that document, so what the Committee was given can be kept byte for byte and
compared with the state today.
"""

from __future__ import annotations

from collections import defaultdict

from flask import current_app

from tracker.audit import queries as audit_queries
from tracker.catalogue.models import ReportingRound
from tracker.core.db import utcnow
from tracker.progress.models import Confidentiality
from tracker.reports import dashboard
from tracker.reports.tally import STATUS_VALUES, Tally

FORMAT = 1
HIGHLIGHTS_PER_ITEM = 6
EXCERPT_CHARS = 420
QUOTABLE = (Confidentiality.committee, Confidentiality.public)
# Highlights and the groups of addressees lead with the furthest progress; "no action reported" comes last.
PROGRESS_ORDER = ["implemented", "partially_implemented", "in_progress", "not_applicable", "not_started"]


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """Cut a narrative at a word boundary near ``limit`` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + " …"


def build(round_: ReportingRound) -> dict:
    """Return the report for ``round_`` as it stands now, counting only the updates received by its
    cut-off: each addressee at the assessed status of its latest accepted update submitted by then
    (see ``dashboard.counted_by_cutoff``); later submissions belong to the next round."""
    now = utcnow()
    day = now.date()
    counted = dashboard.counted_by_cutoff(round_, now)
    board = dashboard.counted_dashboard(round_, counted, day)
    cat = board.catalogue
    names = {e.id: e for e in cat.entities.values()}
    addressees: dict[int, list] = defaultdict(list)
    for row in sorted(counted, key=lambda r: names[r.entity_id].name):
        if row.recommendation_id in cat.items:
            entity = names[row.entity_id]
            addressees[row.recommendation_id].append(
                {"code": entity.code, "name": entity.name, "member_state": entity.kind.value == "member_state", "status": row.status.value}
            )
    highlights: dict[int, list] = defaultdict(list)
    quoted = dashboard.counted_narratives(round_, now, QUOTABLE)
    for item_id, code, name, update_id, status, narrative, confidentiality, reviewed_at in quoted:
        highlights[item_id].append(
            {
                "entity": code, "name": name, "update_id": update_id, "status": status.value,
                "confidentiality": confidentiality.value, "reviewed_at": reviewed_at.isoformat(), "text": excerpt(narrative),
            }
        )
    sessions = []
    for session, tally in board.sessions:
        items = []
        for item in (i for i in cat.items.values() if i.session_id == session.id):
            chosen = sorted(highlights[item.id], key=lambda h: h["entity"])
            chosen.sort(key=lambda h: h["reviewed_at"], reverse=True)  # stable sorts: rank, then latest, then code
            chosen.sort(key=lambda h: PROGRESS_ORDER.index(h["status"]))
            items.append(
                {
                    "code": item.code, "text": item.text, "kind": item.kind.value, "due": item.due.isoformat(),
                    "tally": board.items.get(item.id, Tally()).as_dict(), "addressees": addressees[item.id],
                    "highlights": chosen[:HIGHLIGHTS_PER_ITEM], "more_highlights": max(0, len(chosen) - HIGHLIGHTS_PER_ITEM),
                }
            )
        sessions.append({"code": session.code, "title": session.title, "tally": tally.as_dict(), "items": items})
    seq, head_hash = audit_queries.head()
    return {
        "format": FORMAT,
        "round": {"id": round_.id, "code": round_.code, "title": round_.title, "due": round_.due.isoformat(), "meeting_date": round_.meeting_date.isoformat()},
        "generated_at": now.isoformat(),
        "today": board.day.isoformat(),
        # What the report counts: updates submitted before this moment (the end of the due day, UTC).
        "counts": {
            "cutoff": round_.closes_at.isoformat(),
            "closed": round_.is_closed(now),
            "left_for_next_round": dashboard.submitted_after(round_) if round_.is_closed(now) else 0,
        },
        "demo": current_app.config.get("TRACKER_MODE") == "demo",
        "audit": {"seq": seq, "head_hash": head_hash},
        "statistics": {
            "total": board.total.as_dict(),
            "themes": [{"code": t.code, "title": t.title, "tally": tally.as_dict()} for t, tally in board.themes],
        },
        "timeline": [[d.isoformat(), n] for d, n in board.timeline],
        "sessions": sessions,
    }


NAMED_STATES_LIMIT = 25


def group_addressees(addressees: list[dict]) -> list[dict]:
    """Group an item's addressees by status; long lists of Member States become a count.

    Organizations are always named; Member States are named unless a group holds more than
    ``NAMED_STATES_LIMIT`` of them (193 names of States with no action reported help nobody).
    """
    groups = []
    for status in PROGRESS_ORDER:
        members = [a for a in addressees if a["status"] == status]
        if not members:
            continue
        states = [a for a in members if a["member_state"]]
        others = [a["name"] for a in members if not a["member_state"]]
        named_states = len(states) <= NAMED_STATES_LIMIT
        named = others + ([a["name"] for a in states] if named_states else [])
        groups.append({"status": status, "count": len(members), "named": named, "states": 0 if named_states else len(states)})
    return groups


def compare(then: dict, now: dict) -> dict:
    """Say what changed between a frozen report and the report today."""
    def statuses(content):
        return {
            (item["code"], a["code"]): (a["status"], a["name"])
            for session in content["sessions"] for item in session["items"] for a in item["addressees"]
        }

    before, after = statuses(then), statuses(now)
    changes = [
        {"item": item, "entity": entity, "name": after[(item, entity)][1], "then": before[(item, entity)][0], "now": after[(item, entity)][0]}
        for (item, entity) in sorted(before.keys() & after.keys())
        if before[(item, entity)][0] != after[(item, entity)][0]
    ]
    totals = []
    t0, t1 = then["statistics"]["total"], now["statistics"]["total"]
    for status in STATUS_VALUES:
        a, b = t0["by_status"].get(status, 0), t1["by_status"].get(status, 0)
        totals.append({"status": status, "then": a, "now": b, "change": b - a})
    for key in ("total", "accepted", "overdue", "returned"):
        totals.append({"status": key, "then": t0.get(key, 0), "now": t1.get(key, 0), "change": t1.get(key, 0) - t0.get(key, 0)})
    return {
        "changes": changes,
        "totals": totals,
        "added": sorted(after.keys() - before.keys()),
        "removed": sorted(before.keys() - after.keys()),
        "audit_then": then["audit"],
        "audit_now": now["audit"],
    }
