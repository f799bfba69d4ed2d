#!/usr/bin/env python3
"""Verify a timeline export of the CTC follow-up tracker offline, with the standard library only.

    python3 scripts/verify_export.py timeline.csv      (or .jsonl, or .xlsx)

For every row it recomputes SHA-256(prev_hash + canonical JSON of the hashed fields) and compares
it with the row's hash; where two rows are consecutive in the chain, it checks that the second
names the first as its previous hash. For a complete export (no filter, all entities) it also
checks that the chain starts at the genesis hash and ends at the manifest's head hash. Exit code 0
means every check passed; 1 names the first row that failed, or what makes the file unreadable.
"""

import csv
import hashlib
import json
import sys
import zipfile
import xml.etree.ElementTree as ET

FORMAT = "ctc-tracker-timeline/1"
HASHED = [
    "seq", "occurred_at", "actor_id", "actor_label", "actor_role", "kind", "target_type", "target_id",
    "entity_id", "assignment_id", "recommendation_id", "data",
]
REQUIRED = HASHED + ["prev_hash", "hash"]
INTEGERS = {"seq", "actor_id", "target_id", "entity_id", "assignment_id", "recommendation_id"}
TEXTS = {"occurred_at", "actor_label", "actor_role", "kind", "target_type", "prev_hash", "hash"}
GENESIS = "0" * 64
HEX = set("0123456789abcdef")


class Malformed(Exception):
    """The file is not a readable timeline export; the message says where and why."""


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def parse_json(text, what):
    try:
        return json.loads(text)
    except RecursionError:
        raise Malformed(f"{what} is nested too deeply to read") from None
    except ValueError as exc:
        raise Malformed(f"{what} is not valid JSON ({exc})") from None


def unescape(value):
    """Undo the export's formula guard: a leading apostrophe was added to such cells."""
    return value[1:] if value.startswith("'") else value


def from_cells(cells, where):
    """Turn the text cells of CSV or XLSX into typed values, as the tracker hashed them."""
    values = {}
    for name, text in cells.items():
        text = unescape(text or "")
        if name == "data":
            values[name] = parse_json(text, f"{where}: the data cell")
        elif name in INTEGERS:
            try:
                values[name] = int(text) if text != "" else None
            except ValueError:
                raise Malformed(f"{where}: {name} is not a whole number") from None
        else:
            values[name] = text if text != "" else None
    return values


def check_row(values, where):
    """Refuse a row that lacks a hashed field or holds a value of the wrong kind."""
    if not isinstance(values, dict):
        raise Malformed(f"{where}: not a JSON object")
    missing = [name for name in REQUIRED if name not in values]
    if missing:
        raise Malformed(f"{where}: no {', '.join(missing)}")
    if type(values["seq"]) is not int:
        raise Malformed(f"{where}: seq is not a whole number")
    for name in INTEGERS:
        if values[name] is not None and type(values[name]) is not int:
            raise Malformed(f"{where}: {name} is not a whole number")
    for name in TEXTS:
        if values[name] is not None and not isinstance(values[name], str):
            raise Malformed(f"{where}: {name} is not text")
    for name in ("prev_hash", "hash"):
        if values[name] is None:
            raise Malformed(f"{where}: {name} is empty")
    return values


def check_manifest(manifest, where):
    """Refuse a manifest that does not say what a timeline export's manifest says."""
    if manifest is None:
        return None
    if not isinstance(manifest, dict):
        raise Malformed(f"{where}: the manifest is not a JSON object")
    if manifest.get("format") != FORMAT:
        raise Malformed(f"{where}: the manifest is not a timeline export's (format {manifest.get('format')!r}, expected {FORMAT!r})")
    for name in ("rows", "head_seq"):
        if type(manifest.get(name)) is not int:
            raise Malformed(f"{where}: the manifest's {name} is not a whole number")
    head = manifest.get("head_hash")
    if not isinstance(head, str) or len(head) != 64 or not set(head) <= HEX:
        raise Malformed(f"{where}: the manifest's head_hash is not a SHA-256 hash")
    if not isinstance(manifest.get("complete_chain"), bool):
        raise Malformed(f"{where}: the manifest's complete_chain is not true or false")
    return manifest


def _cut_short(handle, where):
    """Say so when the failing line is the file's last and has no line end: the file was cut short."""
    return f"{where} (the last line, incomplete: the file was cut short)" if handle.read(1) == "" else where


def read_csv(path):
    csv.field_size_limit(2**31 - 1)  # an event's data is one cell, however long its narrative
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise Malformed("the file is empty")
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            raise Malformed(f"line 1: the header lacks the columns {', '.join(missing)}: is this a timeline export?")
        if len(set(header)) != len(header):
            raise Malformed("line 1: the header names a column twice")
        rows, manifest = [], None
        for cells in reader:
            where = f"line {reader.line_num}"
            if manifest is not None:
                raise Malformed(f"{where}: a row after the manifest")
            if cells and cells[0] == "#manifest":
                if len(cells) != 2:
                    raise Malformed(_cut_short(handle, f"{where}: the manifest row has {len(cells)} cells, not 2"))
                manifest = check_manifest(parse_json(cells[1], f"{where}: the manifest"), where)
                continue
            if len(cells) != len(header):
                raise Malformed(_cut_short(handle, f"{where}: {len(cells)} cells where the header has {len(header)}"))
            rows.append(check_row(from_cells(dict(zip(header, cells)), where), where))
    return rows, manifest


def read_jsonl(path):
    rows, manifest = [], None
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            where = f"line {number}"
            if manifest is not None:
                raise Malformed(f"{where}: a line after the manifest")
            try:
                value = parse_json(line, where)
            except Malformed as exc:
                raise Malformed(_cut_short(handle, str(exc)) if not line.endswith("\n") else str(exc)) from None
            if isinstance(value, dict) and "manifest" in value and len(value) == 1:
                manifest = check_manifest(value["manifest"], where)
            else:
                rows.append(check_row(value, where))
    if not rows and manifest is None:
        raise Malformed("the file is empty")
    return rows, manifest


NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _column(reference):
    """Turn a cell reference such as "AB12" into a zero-based column number."""
    number = 0
    for char in reference:
        if not ("A" <= char.upper() <= "Z"):
            break
        number = number * 26 + ord(char.upper()) - 64
    return number - 1


def _xml(archive, name):
    try:
        return ET.fromstring(archive.read(name))
    except ET.ParseError as exc:
        raise Malformed(f"{name} in the workbook is not valid XML ({exc})") from None


def _sheet_rows(archive, name, shared):
    root = _xml(archive, name)
    for row in root.iterfind(".//m:sheetData/m:row", NS):
        cells = {}
        for position, cell in enumerate(row.iterfind("m:c", NS)):
            kind = cell.get("t")
            found = cell.find("m:v", NS)
            if kind == "inlineStr":
                text = "".join(t.text or "" for t in cell.iterfind(".//m:t", NS))
            elif kind == "s":
                try:
                    text = shared[int(found.text)]
                except (AttributeError, TypeError, ValueError, IndexError):
                    raise Malformed(f"{name}, row {row.get('r')}: a cell names a shared string that is not there") from None
            else:
                text = found.text if found is not None else ""
            column = _column(cell.get("r")) if cell.get("r") else position
            if not 0 <= column < 16384:  # the widest sheet Excel allows
                raise Malformed(f"{name}, row {row.get('r')}: a cell reference {cell.get('r')!r} is not a column")
            cells[column] = text or ""
        yield row.get("r") or "?", [cells.get(i, "") for i in range(max(cells) + 1 if cells else 0)]


def read_xlsx(path):
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise Malformed("not an XLSX workbook (not a zip archive, or cut short)") from None
    with archive:
        names = archive.namelist()
        shared = []
        try:
            if "xl/sharedStrings.xml" in names:
                root = _xml(archive, "xl/sharedStrings.xml")
                shared = ["".join(t.text or "" for t in si.iterfind(".//m:t", NS)) for si in root.iterfind("m:si", NS)]
            sheets = sorted(n for n in names if n.startswith("xl/worksheets/sheet") and n.endswith(".xml"))
            if len(sheets) < 2:
                raise Malformed("the workbook lacks its sheets: events and manifest")
            events = list(_sheet_rows(archive, sheets[0], shared))
            if not events:
                raise Malformed("the events sheet is empty")
            header = events[0][1]
            missing = [name for name in REQUIRED if name not in header]
            if missing:
                raise Malformed(f"events sheet, row 1: the header lacks the columns {', '.join(missing)}: is this a timeline export?")
            rows = []
            for number, cells in events[1:]:
                where = f"events sheet, row {number}"
                if len(cells) > len(header):
                    raise Malformed(f"{where}: {len(cells)} cells where the header has {len(header)}")
                cells += [""] * (len(header) - len(cells))  # a sheet leaves empty trailing cells out
                rows.append(check_row(from_cells(dict(zip(header, cells)), where), where))
            manifest = {}
            for number, cells in _sheet_rows(archive, sheets[1], shared):
                if cells:
                    manifest[cells[0]] = cells[1] if len(cells) > 1 else ""
        except (zipfile.BadZipFile, EOFError, OSError) as exc:  # a damaged member inside a readable archive
            raise Malformed(f"the workbook is damaged ({exc})") from None
    for key in ("rows", "head_seq"):
        try:
            manifest[key] = int(manifest[key]) if key in manifest else None
        except ValueError:
            raise Malformed(f"manifest sheet: {key} is not a whole number") from None
    if "complete_chain" in manifest:
        manifest["complete_chain"] = {"true": True, "false": False, "1": True, "0": False}.get(str(manifest["complete_chain"]).lower())
    if isinstance(manifest.get("filters"), str):
        manifest["filters"] = parse_json(manifest["filters"], "manifest sheet: filters")
    return rows, check_manifest(manifest or None, "manifest sheet")


def verify(rows, manifest):
    if manifest is None:
        return "the export has no manifest: it may have been cut short"
    if manifest["rows"] != len(rows):
        return f"the manifest counts {manifest['rows']} rows but the file holds {len(rows)}"
    previous = None
    for values in rows:
        payload = {name: values.get(name) for name in HASHED}
        try:
            digest = hashlib.sha256((values["prev_hash"] + canonical(payload)).encode("utf-8")).hexdigest()
        except (ValueError, TypeError, RecursionError):  # text that is not Unicode, numbers JSON cannot hold
            return f"event {values['seq']}: its content cannot be hashed"
        if digest != values["hash"]:
            return f"event {values['seq']}: its content does not match its hash"
        if previous is not None and values["seq"] == previous["seq"] + 1 and values["prev_hash"] != previous["hash"]:
            return f"event {values['seq']}: its previous hash does not match event {previous['seq']}"
        if previous is not None and values["seq"] <= previous["seq"]:
            return f"event {values['seq']}: out of order"
        previous = values
    if manifest["complete_chain"]:
        if rows and (rows[0]["seq"] != 1 or rows[0]["prev_hash"] != GENESIS):
            return "a complete export must start at event 1 and the genesis hash"
        for before, after in zip(rows, rows[1:]):
            if after["seq"] != before["seq"] + 1:
                return f"event {before['seq'] + 1} is missing"
        last = rows[-1]["hash"] if rows else GENESIS
        if last != manifest["head_hash"]:
            return "the last event is not the head the manifest names"
    return None


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path = argv[1]
    readers = {".csv": read_csv, ".jsonl": read_jsonl, ".xlsx": read_xlsx}
    reader = next((r for ext, r in readers.items() if path.lower().endswith(ext)), None)
    if reader is None:
        print("give a .csv, .jsonl or .xlsx export", file=sys.stderr)
        return 2
    try:
        rows, manifest = reader(path)
        problem = verify(rows, manifest)
    except Malformed as exc:
        problem = f"cannot read {path}: {exc}"
    except UnicodeDecodeError as exc:
        problem = f"cannot read {path}: it is not UTF-8 text (byte {exc.start}): is it an export at all?"
    except csv.Error as exc:
        problem = f"cannot read {path}: it is not CSV text ({exc})"
    except OSError as exc:
        problem = f"cannot read {path}: {exc.strerror or exc}"
    except Exception as exc:  # whatever else a damaged file provokes: a line, never a traceback
        problem = f"cannot read {path}: {type(exc).__name__}: {exc}"
    if problem:
        print(f"NOT VERIFIED: {' '.join(problem.split())}")
        return 1
    kind = "complete chain" if manifest["complete_chain"] else "every row verifies on its own"
    print(f"VERIFIED: {len(rows)} events ({kind}); head {manifest['head_hash']} at event {manifest['head_seq']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
