"""Freeze a progress report: keep what the Committee was given, unchanged, with its audit event."""

from __future__ import annotations

from flask_babel import gettext as _

from tracker.audit import queries as audit_queries
from tracker.audit.operations import digest, record
from tracker.catalogue.models import ReportingRound
from tracker.core.errors import Refused
from tracker.extensions import db
from tracker.reports import report
from tracker.reports.models import FrozenReport


def freeze_report(round_: ReportingRound, actor) -> FrozenReport:
    """Write the round's report as it stands now, and an event naming its digest; only flushes."""
    if not (actor.is_authenticated and actor.role.value == "secretariat"):
        raise Refused(_("Only the Committee secretariat freezes reports."))
    content = report.build(round_)
    seq, head_hash = audit_queries.head()
    frozen = FrozenReport(
        round_id=round_.id,
        frozen_by_id=actor.id,
        audit_seq=seq,
        audit_head_hash=head_hash,
        content=content,
        content_sha256=digest(content),
    )
    db.session.add(frozen)
    db.session.flush()
    record(
        "report.frozen",
        actor=actor,
        target=frozen,
        data={"round": round_.code, "content_sha256": frozen.content_sha256, "audit_seq": seq, "audit_head_hash": head_hash},
    )
    return frozen
