"""Import a checked spreadsheet: every accepted row becomes a draft, all in one transaction."""

from __future__ import annotations

from tracker.audit.operations import record
from tracker.exports.spreadsheet import Preview
from tracker.extensions import db
from tracker.progress import operations as progress_operations
from tracker.progress.models import Assignment


def apply_import(preview: Preview, user) -> dict:
    """Create or update the drafts the preview lists; only flushes, the caller commits once.

    Rows that match what is saved write nothing; a file with nothing to write records nothing.
    """
    counts = {"created": 0, "updated": 0, "unchanged": len(preview.unchanged)}
    if not preview.accepted:
        return counts
    for row in preview.accepted:
        assignment = db.session.get(Assignment, row.assignment_id)
        update = assignment.open_update
        if update is None:
            progress_operations.create_update(assignment, user, **row.values)
            counts["created"] += 1
        else:
            progress_operations.edit_update(update, user, version=update.version, **row.values)
            counts["updated"] += 1
    record("spreadsheet.imported", actor=user, entity=user.entity, data={**counts, "rejected": len(preview.rejected)})
    return counts
