"""How timeline events read on the page: the known kinds with their titles, and an event's data
as labelled values.

Only the page uses this. Exports carry the machine values (``update.accepted``, ``not_started``)
unchanged, since those are what the hash chain covers and what an auditor's tools compare.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from flask_babel import format_datetime, gettext as _, lazy_gettext as _l
from markupsafe import Markup, escape

from tracker.accounts.models import Role, TokenPurpose
from tracker.progress.models import SHAPES, Confidentiality, ImplementationStatus, UpdateState

# Every kind of event the application records, grouped as the chooser shows them. A test walks the
# code for ``record(...)`` calls, so a new kind without a title here fails the suite.
KIND_GROUPS: list[tuple[Any, dict[str, Any]]] = [
    (_l("Progress updates"), {
        "update.created": _l("Draft started"),
        "update.edited": _l("Update edited"),
        "update.submitted": _l("Update submitted for review"),
        "update.withdrawn": _l("Update withdrawn to draft"),
        "update.accepted": _l("Update accepted"),
        "update.returned": _l("Update returned for changes"),
    }),
    (_l("Assignments and rounds"), {
        "assignments.generated": _l("Assignments generated"),
        "assignment.due_changed": _l("Due date changed"),
        "round.created": _l("Reporting round added"),
        "round.updated": _l("Reporting round changed"),
    }),
    (_l("Accounts"), {
        "account.created": _l("Account created"),
        "account.invitation_issued": _l("Invitation link issued"),
        "account.reset_issued": _l("Password reset link issued"),
        "account.password_set": _l("Password set from a link"),
        "account.password_changed": _l("Password changed"),
        "account.signed_in": _l("Signed in"),
        "account.signed_out": _l("Signed out"),
        "account.signed_out_everywhere": _l("Signed out everywhere"),
        "account.locked": _l("Account locked after failed sign-ins"),
        "account.updated": _l("Account changed"),
        "account.deactivated": _l("Account deactivated"),
        "account.reactivated": _l("Account reactivated"),
        "account.token_created": _l("API token created"),
        "account.token_revoked": _l("API token revoked"),
    }),
    (_l("Catalogue, imports and demo data"), {
        "catalogue.seeded": _l("Catalogue loaded or updated"),
        "spreadsheet.imported": _l("Worklist spreadsheet imported"),
        "demo.generated": _l("Demo data generated"),
    }),
    (_l("Reports and the audit chain"), {
        "report.frozen": _l("Progress report frozen"),
        "audit.checkpoint": _l("Audit checkpoint signed"),
    }),
]
KINDS: dict[str, Any] = {kind: title for _group, kinds in KIND_GROUPS for kind, title in kinds.items()}


def kind_title(kind: str) -> str:
    """The title of a kind of event; a kind this version does not know shows as recorded."""
    return str(KINDS.get(kind, kind))


def enum_title(enum_cls, value) -> str:
    try:
        return enum_cls(value).title
    except ValueError:
        return str(value)


# Keys of event data, as the page labels them. A key missing here is shown humanized.
LABELS: dict[str, Any] = {
    "claimed_status": _l("Claimed status"),
    "assessed_status": _l("Assessed status"),
    "official_status": _l("Official status"),
    "reason": _l("Reason"),
    "comment": _l("Comment to the entity"),
    "narrative": _l("Narrative"),
    "confidentiality": _l("Who may read it"),
    "evidence": _l("Evidence"),
    "state": _l("State"),
    "content_sha256": _l("Digest of the private content (SHA-256)"),
    "email": _l("Email address"),
    "name": _l("Name"),
    "role": _l("Role"),
    "entity": _l("Entity"),
    "active": _l("Active"),
    "minutes": _l("Locked for (minutes)"),
    "through": _l("Through"),
    "expires_at": _l("Link expires"),
    "token_id": _l("Token no."),
    "added": _l("Assignments added"),
    "code": _l("Code"),
    "title": _l("Title"),
    "due": _l("Cut-off for updates"),
    "meeting_date": _l("Meeting date"),
    "created": _l("New drafts"),
    "updated": _l("Drafts updated"),
    "rejected": _l("Rows rejected"),
    "round": _l("Reporting round"),
    "audit_seq": _l("Chain head, event no."),
    "audit_head_hash": _l("Chain head hash"),
    "seq": _l("Chain head, event no."),
    "head_hash": _l("Chain head hash"),
    "key_id": _l("Signing key"),
    "demo": _l("Demo data"),
    "entities": _l("Entities"),
    "updates": _l("Updates"),
    "steps": _l("Steps"),
    "seed": _l("Random seed"),
    "period": _l("Period"),
    "changes": _l("Changes"),
}
# The order values are shown in; keys not listed follow in their recorded order.
ORDER = ["claimed_status", "assessed_status", "official_status", "reason", "comment", "state", "confidentiality", "narrative", "evidence"]
# Shown elsewhere on the row (the item, in "Concerning") or only internal numbers.
HIDDEN = {"assignment_id", "update_id", "item"}


def label(key: str) -> str:
    return str(LABELS.get(key, key.replace("_", " ").capitalize()))


def _status(value) -> Markup:
    return Markup('<span class="status status-{0}"><span aria-hidden="true">{1}</span> {2}</span>').format(
        value, SHAPES.get(value, ""), enum_title(ImplementationStatus, value)
    )


def _evidence(items) -> Markup:
    """Each piece of evidence by its link or its file name; never as a record."""
    shown = []
    for item in items or []:
        if not isinstance(item, dict):
            shown.append(escape(item))
        elif item.get("url"):
            shown.append(Markup('<a href="{0}" rel="noopener noreferrer nofollow">{0}</a>').format(item["url"]))
        else:
            size = item.get("size")
            shown.append(
                Markup("{0} ({1})").format(item.get("filename", ""), _("file, %(kb)s kB", kb=max(1, round(size / 1000))))
                if isinstance(size, int) else escape(item.get("filename", ""))
            )
    return Markup("<br>").join(shown) if shown else escape(_("None"))


def _when(value) -> Markup:
    try:
        return escape(format_datetime(datetime.fromisoformat(value), "yyyy-MM-dd HH:mm 'UTC'"))
    except (TypeError, ValueError):
        return escape(value)


def _hash(value) -> Markup:
    return Markup('<code class="hash">{0}</code>').format(value)


FORMATS: dict[str, Callable[[Any], Markup]] = {
    "claimed_status": _status,
    "assessed_status": _status,
    "official_status": _status,
    "confidentiality": lambda v: escape(enum_title(Confidentiality, v)),
    "state": lambda v: escape(enum_title(UpdateState, v)),
    "role": lambda v: escape(enum_title(Role, v)),
    "through": lambda v: escape(enum_title(TokenPurpose, v)),
    "evidence": _evidence,
    "expires_at": _when,
    "content_sha256": _hash,
    "head_hash": _hash,
    "audit_head_hash": _hash,
}


def _value(key: str, value, entity_names: dict[str, str]) -> Markup:
    if key in FORMATS and value is not None:
        return FORMATS[key](value)
    if key == "period" and isinstance(value, list):
        return Markup(" – ").join(_when(v) for v in value)
    if value is None or value == "":
        return escape("—")
    if isinstance(value, bool):
        return escape(_("Yes") if value else _("No"))
    if key == "entity" and value in entity_names:
        return escape(entity_names[value])
    if isinstance(value, dict):
        return Markup("; ").join(Markup("{0}: {1}").format(k, _value(k, v, entity_names)) for k, v in sorted(value.items()))
    if isinstance(value, list):
        return Markup(", ").join(_value(key, v, entity_names) for v in value)
    return escape(value)


def _change(key: str, before, after, entity_names) -> Markup:
    if before in (None, "") and after not in (None, ""):
        return _value(key, after, entity_names)
    return Markup("{0} → {1}").format(_value(key, before, entity_names), _value(key, after, entity_names))


def _is_change(value) -> bool:
    return isinstance(value, dict) and "before" in value and "after" in value


def details(kind: str, data: dict, entity_names: dict[str, str] | None = None) -> list[tuple[str, Markup]]:
    """Return an event's data as (label, value) pairs, the values escaped HTML.

    Statuses and other recorded values show by their titles, changes as "before → after",
    evidence by its link or file name; nothing absent (``None``) is shown.
    """
    names = entity_names or {}
    rows: list[tuple[str, Markup]] = []
    data = dict(data or {})
    if "before" in data and "after" in data:
        before, after = data.pop("before"), data.pop("after")
        if isinstance(before, dict) and isinstance(after, dict):
            for key in [*after, *(k for k in before if k not in after)]:
                if before.get(key) != after.get(key):
                    rows.append((label(key), _change(key, before.get(key), after.get(key), names)))
        else:
            key = "due" if kind == "assignment.due_changed" else "change"
            rows.append((_("Due date") if key == "due" else _("Change"), _change(key, before, after, names)))
    for key, value in sorted(data.items(), key=lambda kv: ORDER.index(kv[0]) if kv[0] in ORDER else len(ORDER)):
        if key in HIDDEN or value is None:
            continue
        if _is_change(value):
            rows.append((label(key), _change(key, value["before"], value["after"], names)))
        elif key == "changes" and isinstance(value, dict) and all(_is_change(v) for v in value.values()):
            rows.extend((label(k), _change(k, v["before"], v["after"], names)) for k, v in value.items())
        elif key == "changes" and isinstance(value, dict):
            rows.extend((str(k).capitalize(), _value(k, v, names)) for k, v in value.items())
        else:
            rows.append((label(key), _value(key, value, names)))
    return rows
