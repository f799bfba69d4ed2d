"""The focal point's worklist as a spreadsheet, and reading it back into a checked preview.

Nothing here writes to the database: ``read`` returns a preview of what an import would do;
``tracker.progress.operations.apply_import`` does it.
"""

from __future__ import annotations

import tempfile
import zipfile
from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.core.db import utcnow
from tracker.core.errors import Refused
from tracker.core.text import escape_cell
from tracker.extensions import db
from tracker.progress import operations as progress_operations
from tracker.progress import workflow
from tracker.progress import queries as progress_queries
from tracker.progress.models import Assignment, Confidentiality, EvidenceKind, ImplementationStatus, ProgressUpdate, UpdateState

FORMAT = "ctc-tracker-worklist/1"
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 2000
HEADER = [
    "assignment", "item", "action", "session", "due", "official_status", "open_update",
    "status", "narrative", "evidence_links", "confidentiality", "version",
]
EDITABLE = ("status", "narrative", "evidence_links", "confidentiality")
_YOURS = PatternFill("solid", fgColor="FFF6D5")


class SpreadsheetError(Refused):
    """The whole file is refused; nothing is imported."""


WRITES = ("create", "update")


@dataclass
class Row:
    number: int
    assignment_id: int | None
    item: str = ""
    action: str = ""  # "create", "update", "unchanged", or "" when rejected
    problem: str = ""
    values: dict = field(default_factory=dict)
    state: UpdateState | None = None  # of the open update the row updates or leaves unchanged
    note: str = ""  # what the draft still lacks before it can be submitted


@dataclass
class Preview:
    rows: list[Row]
    skipped: int = 0

    @property
    def accepted(self) -> list[Row]:
        """The rows an import writes."""
        return [r for r in self.rows if r.action in WRITES]

    @property
    def unchanged(self) -> list[Row]:
        return [r for r in self.rows if r.action == "unchanged"]

    @property
    def rejected(self) -> list[Row]:
        return [r for r in self.rows if not r.action]


def workbook_for(entity) -> tempfile.SpooledTemporaryFile:
    """Write the entity's assignments, with its open drafts' values ready to edit.

    A worklist is a few hundred rows at most, so an ordinary workbook (which can carry
    drop-down lists) is fine here; timelines use the streaming writer.
    """
    assignments = progress_queries.worklist(entity.id, progress_queries.WorklistFilters(), everything=True).rows
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "items"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for a in assignments:
        update = a.open_update if a.open_update and a.open_update.state in (UpdateState.draft, UpdateState.returned) else None
        links = "\n".join(e.url for e in update.current_evidence if e.url) if update else ""
        fixed = [a.id, a.recommendation.code, a.recommendation.text, a.recommendation.session.title, a.due.isoformat(),
                 a.official_status.value, a.open_update.state.value if a.open_update else ""]
        yours = [update.claimed_status.value if update else "", update.narrative if update else "", links,
                 update.confidentiality.value if update else ""]
        sheet.append([escape_cell(v) for v in fixed] + yours + [a.version])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text as typed, never a formula
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for cell in row[7:11]:
            cell.fill = _YOURS
    last = max(sheet.max_row, 2)
    for column, choices in (("H", ImplementationStatus), ("K", Confidentiality)):
        validation = DataValidation(type="list", formula1='"' + ",".join(c.value for c in choices) + '"', allow_blank=True)
        validation.add(f"{column}2:{column}{last}")
        sheet.add_data_validation(validation)
    for column, width in zip("ABCDEFGHIJKL", (11, 7, 50, 22, 11, 20, 16, 22, 60, 40, 14, 8)):
        sheet.column_dimensions[column].width = width
    sheet.column_dimensions["L"].hidden = True
    sheet.freeze_panes = "C2"
    about = workbook.create_sheet("about")
    for key, value in (
        ("format", FORMAT),
        ("entity", entity.code),
        ("generated_at", utcnow().isoformat()),
        ("how to use", "Fill in the yellow columns (status, narrative, evidence_links one per line, confidentiality), "
                       "leave the others as they are, and upload the file on the worklist page. "
                       "Rows you leave empty are not changed. Nothing is submitted: you will review the drafts first."),
        ("statuses", ", ".join(f"{s.value} ({s.title})" for s in ImplementationStatus)),
        ("confidentiality", ", ".join(c.value for c in Confidentiality)),
    ):
        about.append([key, value])
    target = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook.save(target)
    target.seek(0)
    return target


def _text(value) -> str:
    if value is None:
        return ""
    return str(value).strip()


def read(path: str, user) -> Preview:
    """Check an uploaded workbook row by row against the database, without changing anything.

    :raise SpreadsheetError: the file is not our workbook, belongs to another entity, holds a row
        for another entity, or is stale (downloaded before the items changed).
    """
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError) as exc:
        raise SpreadsheetError(_("This is not a worklist spreadsheet from this site (the file could not be read as XLSX).")) from exc
    try:
        return _read(workbook, user)
    finally:
        workbook.close()


def _read(workbook, user) -> Preview:
    if "items" not in workbook.sheetnames or "about" not in workbook.sheetnames:
        raise SpreadsheetError(_("This is not a worklist spreadsheet from this site (its sheets are missing)."))
    about = {_text(r[0]): _text(r[1]) for r in workbook["about"].iter_rows(values_only=True) if r and len(r) > 1}
    if about.get("format") != FORMAT:
        raise SpreadsheetError(_("This spreadsheet is not in the worklist format this site makes."))
    if about.get("entity") != user.entity.code:
        raise SpreadsheetError(_("This spreadsheet belongs to another entity. Nothing was imported."))
    rows = workbook["items"].iter_rows(values_only=True)
    header = [_text(v) for v in next(rows, ())]
    if header[: len(HEADER)] != HEADER:
        raise SpreadsheetError(_("The columns of the spreadsheet were changed; download a fresh copy."))
    preview = Preview(rows=[])
    parsed = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS:
            raise SpreadsheetError(_("The spreadsheet has more rows than any worklist."))
        cells = dict(zip(HEADER, values))
        if not any(_text(cells.get(name)) for name in EDITABLE):
            if any(v not in (None, "") for v in values):
                preview.skipped += 1
            continue
        parsed.append((number, cells))
    ids = [int(c["assignment"]) for _, c in parsed if str(c.get("assignment") or "").isdigit()]
    assignments = {
        a.id: a for a in db.session.scalars(
            select(Assignment).where(Assignment.id.in_(ids or [-1])).options(
                joinedload(Assignment.recommendation), joinedload(Assignment.open_update).selectinload(ProgressUpdate.evidence)
            )
        )
    }
    choices = _choices()
    for number, cells in parsed:
        preview.rows.append(_check_row(number, cells, assignments, user, choices))
    return preview


def _key(value: str) -> str:
    return " ".join(value.replace("_", " ").split()).casefold()


def _choices() -> dict:
    """What a status or confidentiality cell may hold: a code or a label (as shown here or in English), in any case."""
    found = {}
    for enum_cls in (ImplementationStatus, Confidentiality):
        with force_locale("en"):
            english = {member: member.title for member in enum_cls}
        found[enum_cls] = {_key(text): member for member in enum_cls for text in (member.value, member.title, english[member])}
    return found


def _same_as(update: ProgressUpdate, values: dict) -> bool:
    """Would writing these values into the update change nothing? (Links are only ever added.)"""
    links = {e.url for e in update.current_evidence if e.kind is EvidenceKind.link}
    return (
        values["claimed_status"] is update.claimed_status
        and values["narrative"] == update.narrative
        and values["confidentiality"] is update.confidentiality
        and set(values["links"]) <= links
    )


def _check_row(number: int, cells: dict, assignments: dict, user, choices: dict) -> Row:
    raw_id = _text(cells.get("assignment"))
    assignment = assignments.get(int(raw_id)) if raw_id.isdigit() else None
    row = Row(number=number, assignment_id=assignment.id if assignment else None, item=_text(cells.get("item")))
    if assignment is None:
        row.problem = _("Unknown assignment number %(value)s.", value=raw_id or "—")
        return row
    if assignment.entity_id != user.entity_id:
        raise SpreadsheetError(_("Row %(row)d is for another entity's item. Nothing was imported.", row=number))
    row.item = assignment.recommendation.code
    _read_values(row, cells, assignment, choices)
    # A row that matches what is saved writes nothing, so it cannot overwrite a later change
    # and need not be current; any other row must come from a download taken after the item's
    # last change.
    if row.action != "unchanged" and _text(cells.get("version")) != str(assignment.version):
        raise SpreadsheetError(
            _("Item %(item)s changed after this spreadsheet was downloaded (row %(row)d). Download a fresh copy; nothing was imported.",
              item=assignment.recommendation.code, row=number)
        )
    return row


def _read_values(row: Row, cells: dict, assignment: Assignment, choices: dict) -> None:
    """Fill in what the row asks for and what an import would do with it, or why it is refused."""
    status = choices[ImplementationStatus].get(_key(_text(cells.get("status"))))
    if status is None:
        row.problem = _("Status “%(value)s” is not one of: %(choices)s (their names, such as “%(example)s”, are understood too).",
                        value=_text(cells.get("status")), choices=", ".join(s.value for s in ImplementationStatus),
                        example=ImplementationStatus.partially_implemented.title)
        return
    confidentiality = choices[Confidentiality].get(_key(_text(cells.get("confidentiality")) or Confidentiality.entity.value))
    if confidentiality is None:
        row.problem = _("Confidentiality must be entity, committee or public.")
        return
    try:
        narrative = progress_operations.clean_text(_text(cells.get("narrative")), field="narrative")
        links = progress_operations.parse_links(_text(cells.get("evidence_links")))
    except Refused as refused:
        row.problem = refused.message
        return
    row.values = {"claimed_status": status, "narrative": narrative, "confidentiality": confidentiality, "links": links}
    open_update = assignment.open_update
    if open_update is not None:
        row.state = open_update.state
        if _same_as(open_update, row.values):
            row.action = "unchanged"
            return
        if open_update.state is UpdateState.submitted:
            row.values = {}
            row.problem = _("An update of this item is awaiting review; withdraw it on the site to change it.")
            return
    row.action = "update" if open_update is not None else "create"
    evidence = bool(links) or bool(open_update is not None and open_update.current_evidence)
    missing = workflow.completeness_problem(status, narrative, evidence)
    row.note = missing.message if missing else ""
