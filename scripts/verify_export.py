#!/usr/bin/env python3
"""Verify a timeline export of the CTC follow-up tracker offline, with the standard library only.

    python3 scripts/verify_export.py timeline.csv      (or .jsonl, or .xlsx)

For every row it recomputes SHA-256(prev_hash + canonical JSON of the hashed fields) and compares
it with the row's hash; where two rows are consecutive in the chain, it checks that the second
names the first as its previous hash. For a complete export (no filter, all entities) it also
checks that the chain starts at the genesis hash and ends at the manifest's head hash. Exit code 0
means every check passed; 1 names the first row that failed.
"""

import csv
import hashlib
import json
import sys
import zipfile
import xml.etree.ElementTree as ET

HASHED = [
    "seq", "occurred_at", "actor_id", "actor_label", "actor_role", "kind", "target_type", "target_id",
    "entity_id", "assignment_id", "recommendation_id", "data",
]
INTEGERS = {"seq", "actor_id", "target_id", "entity_id", "assignment_id", "recommendation_id"}
GENESIS = "0" * 64


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def unescape(value):
    """Undo the export's formula guard: a leading apostrophe was added to such cells."""
    return value[1:] if value.startswith("'") else value


def from_cells(cells):
    """Turn the text cells of CSV or XLSX into typed values, as the tracker hashed them."""
    values = {}
    for name, text in cells.items():
        text = unescape(text or "")
        if name == "data":
            values[name] = json.loads(text)
        elif name in INTEGERS:
            values[name] = int(text) if text != "" else None
        else:
            values[name] = text if text != "" else None
    return values


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows, manifest = [], None
        for cells in reader:
            if cells and cells[0] == "#manifest":
                manifest = json.loads(cells[1])
                continue
            rows.append(from_cells(dict(zip(header, cells))))
    return rows, manifest


def read_jsonl(path):
    rows, manifest = [], None
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            value = json.loads(line)
            if "manifest" in value and len(value) == 1:
                manifest = value["manifest"]
            else:
                rows.append(value)
    return rows, manifest


NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _column(reference):
    """Turn a cell reference such as "AB12" into a zero-based column number."""
    number = 0
    for char in reference:
        if not char.isalpha():
            break
        number = number * 26 + ord(char.upper()) - 64
    return number - 1


def _sheet_rows(archive, name, shared):
    root = ET.fromstring(archive.read(name))
    for row in root.iterfind(".//m:sheetData/m:row", NS):
        cells = {}
        for position, cell in enumerate(row.iterfind("m:c", NS)):
            kind = cell.get("t")
            if kind == "inlineStr":
                text = "".join(t.text or "" for t in cell.iterfind(".//m:t", NS))
            elif kind == "s":
                text = shared[int(cell.find("m:v", NS).text)]
            else:
                found = cell.find("m:v", NS)
                text = found.text if found is not None else ""
            cells[_column(cell.get("r")) if cell.get("r") else position] = text
        yield [cells.get(i, "") for i in range(max(cells) + 1 if cells else 0)]


def read_xlsx(path):
    with zipfile.ZipFile(path) as archive:
        shared = []
        if "xl/sharedStrings.xml" in archive.namelist():
            root = ET.fromstring(archive.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iterfind(".//m:t", NS)) for si in root.iterfind("m:si", NS)]
        sheets = sorted(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
        events = list(_sheet_rows(archive, sheets[0], shared))
        header, body = events[0], events[1:]
        rows = [from_cells(dict(zip(header, cells))) for cells in body]
        manifest = {}
        for cells in _sheet_rows(archive, sheets[1], shared):
            key, value = cells[0], cells[1] if len(cells) > 1 else ""
            manifest[key] = int(value) if key in ("rows", "head_seq") else value
        manifest["complete_chain"] = manifest.get("complete_chain") in ("true", "True", "1", True)
        manifest["filters"] = json.loads(manifest["filters"]) if isinstance(manifest.get("filters"), str) else manifest.get("filters")
    return rows, manifest


def verify(rows, manifest):
    if manifest is None:
        return "the export has no manifest: it may have been cut short"
    if manifest.get("rows") != len(rows):
        return f"the manifest counts {manifest.get('rows')} rows but the file holds {len(rows)}"
    previous = None
    for values in rows:
        payload = {name: values.get(name) for name in HASHED}
        digest = hashlib.sha256((values["prev_hash"] + canonical(payload)).encode("utf-8")).hexdigest()
        if digest != values["hash"]:
            return f"event {values['seq']}: its content does not match its hash"
        if previous is not None and values["seq"] == previous["seq"] + 1 and values["prev_hash"] != previous["hash"]:
            return f"event {values['seq']}: its previous hash does not match event {previous['seq']}"
        if previous is not None and values["seq"] <= previous["seq"]:
            return f"event {values['seq']}: out of order"
        previous = values
    if manifest.get("complete_chain"):
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
    except (OSError, ValueError, KeyError, IndexError, zipfile.BadZipFile, ET.ParseError) as exc:
        print(f"cannot read {path}: {exc}", file=sys.stderr)
        return 1
    problem = verify(rows, manifest)
    if problem:
        print(f"NOT VERIFIED: {problem}")
        return 1
    kind = "complete chain" if manifest.get("complete_chain") else "every row verifies on its own"
    print(f"VERIFIED: {len(rows)} events ({kind}); head {manifest['head_hash']} at event {manifest['head_seq']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
