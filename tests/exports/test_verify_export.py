"""``scripts/verify_export.py`` on damaged files: one clear line and exit 1, never a traceback."""

import importlib.util
import io
import json
import re
import zipfile
from contextlib import redirect_stdout

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.exports.test_timeline import VERIFY, history, reader, verify  # noqa: F401 (history is a fixture)

spec = importlib.util.spec_from_file_location("verify_export", VERIFY)
verify_export = importlib.util.module_from_spec(spec)
spec.loader.exec_module(verify_export)


class _Exports(dict):
    """Good exports, made on first use (each test needs one or two formats)."""

    def __init__(self, client):
        super().__init__()
        self.client = client

    def __missing__(self, fmt):
        response = self.client.get(f"/timeline/export.{fmt}")
        self[fmt] = response.data
        response.close()
        return self[fmt]


@pytest.fixture
def exports(app, create_user, history):  # noqa: F811
    """A good export in each format, as bytes (test_timeline proves they verify)."""
    return _Exports(reader(app, create_user, "auditor"))


def _lines(data: bytes) -> list[str]:
    return data.decode("utf-8-sig").splitlines(keepends=True)


def _csv_rows(data):
    import csv

    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _write_csv(rows):
    import csv

    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_cell(data, name, value, row=1):
    rows = _csv_rows(data)
    rows[row][rows[0].index(name)] = value
    return _write_csv(rows)


def _manifest_csv(data, change):
    rows = _csv_rows(data)
    manifest = json.loads(rows[-1][1])
    rows[-1][1] = change(manifest)
    return _write_csv(rows)


def _jsonl_line(data, index, text):
    lines = _lines(data)
    lines[index] = text
    return "".join(lines).encode("utf-8")


def _jsonl_manifest(data, change):
    lines = _lines(data)
    manifest = json.loads(lines[-1])["manifest"]
    lines[-1] = json.dumps({"manifest": change(manifest)}) + "\n"
    return "".join(lines).encode("utf-8")


def _xlsx_member(data, name, change):
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for member in source.namelist():
            content = source.read(member)
            if member == name:
                content = change(content)
            if content is not None:
                target.writestr(member, content)
    return out.getvalue()


def _without(key):
    return lambda manifest: json.dumps({k: v for k, v in manifest.items() if k != key})


def _with(**values):
    return lambda manifest: json.dumps({**manifest, **values})


GARBAGE = bytes(range(256)) * 4

CORRUPTIONS = {
    "csv": {
        "empty file": (lambda d: b"", "the file is empty"),
        "only the byte order mark": (lambda d: "\ufeff".encode(), "the file is empty"),
        "binary garbage": (lambda d: GARBAGE, "it is not UTF-8 text"),
        "an XLSX renamed": (None, "it is not UTF-8 text"),
        "NUL characters": (lambda d: d.replace(b"update.", b"\x00update.", 1), "its content does not match its hash"),
        "truncated inside a row": (lambda d: d[: len(d) // 2], "the file was cut short"),
        "truncated before the manifest": (lambda d: "".join(_lines(d)[:-1]).encode(), "no manifest: it may have been cut short"),
        "a column renamed": (lambda d: d.replace(b"prev_hash", b"previous", 1), "the header lacks the columns prev_hash"),
        "only some columns": (lambda d: _write_csv([r[:4] for r in _csv_rows(d)]), "the header lacks the columns"),
        "a cell missing": (lambda d: _write_csv([r if i != 2 else r[:-1] for i, r in enumerate(_csv_rows(d))]), "line 3: 15 cells where the header has 16"),
        "data that is not JSON": (lambda d: _csv_cell(d, "data", '{"a": 1} and more'), "line 2: the data cell is not valid JSON"),
        "seq that is not a number": (lambda d: _csv_cell(d, "seq", "two"), "line 2: seq is not a whole number"),
        "a row after the manifest": (lambda d: d + d.splitlines(keepends=True)[1], "a row after the manifest"),
        "manifest that is not JSON": (lambda d: _manifest_csv(d, lambda m: "{rows: 3"), "the manifest is not valid JSON"),
        "manifest that is a list": (lambda d: _manifest_csv(d, lambda m: "[1, 2]"), "the manifest is not a JSON object"),
        "manifest of another format": (lambda d: _manifest_csv(d, _with(format="something/2")), "not a timeline export's"),
        "manifest without its head": (lambda d: _manifest_csv(d, _without("head_hash")), "head_hash is not a SHA-256 hash"),
        "manifest counting text": (lambda d: _manifest_csv(d, _with(rows="12")), "rows is not a whole number"),
        "manifest counting wrong": (lambda d: _manifest_csv(d, _with(rows=1)), "the manifest counts 1 rows"),
        "manifest with another head": (lambda d: _manifest_csv(d, _with(head_hash="a" * 64)), "not the head the manifest names"),
    },
    "jsonl": {
        "empty file": (lambda d: b"", "the file is empty"),
        "binary garbage": (lambda d: GARBAGE, "it is not UTF-8 text"),
        "truncated inside a line": (lambda d: d[: len(d) // 2], "the file was cut short"),
        "truncated before the manifest": (lambda d: "".join(_lines(d)[:-1]).encode(), "no manifest"),
        "a line that is not JSON": (lambda d: _jsonl_line(d, 1, "{'seq': 2}\n"), "line 2 is not valid JSON"),
        "a line that is a list": (lambda d: _jsonl_line(d, 1, "[1, 2, 3]\n"), "line 2: not a JSON object"),
        "a line nested too deeply": (lambda d: _jsonl_line(d, 1, "[" * 100000 + "]" * 100000 + "\n"), "line 2 is nested too deeply"),
        "a line without its hash": (lambda d: _jsonl_line(d, 1, json.dumps({k: v for k, v in json.loads(_lines(d)[1]).items() if k != "hash"}) + "\n"), "line 2: no hash"),
        "seq as text": (lambda d: _jsonl_line(d, 0, json.dumps({**json.loads(_lines(d)[0]), "seq": "1"}) + "\n"), "line 1: seq is not a whole number"),
        "manifest that is text": (lambda d: _jsonl_line(d, -1, '{"manifest": "all good"}\n'), "the manifest is not a JSON object"),
        "manifest of another format": (lambda d: _jsonl_manifest(d, lambda m: {**m, "format": None}), "not a timeline export's"),
        "manifest without complete_chain": (lambda d: _jsonl_manifest(d, lambda m: {k: v for k, v in m.items() if k != "complete_chain"}), "complete_chain is not true or false"),
        "a line after the manifest": (lambda d: d + _lines(d)[0].encode(), "a line after the manifest"),
    },
    "xlsx": {
        "empty file": (lambda d: b"", "not an XLSX workbook"),
        "binary garbage": (lambda d: GARBAGE, "not an XLSX workbook"),
        "truncated": (lambda d: d[: len(d) // 2], "not an XLSX workbook"),
        "a CSV renamed": (None, "not an XLSX workbook"),
        "a zip without sheets": (lambda d: _xlsx_member(d, "xl/worksheets/sheet2.xml", lambda c: None), "lacks its sheets"),
        "a sheet that is not XML": (lambda d: _xlsx_member(d, "xl/worksheets/sheet1.xml", lambda c: c[: len(c) // 2]), "is not valid XML"),
        "a column renamed": (lambda d: _xlsx_member(d, "xl/worksheets/sheet1.xml", lambda c: c.replace(b"<t>prev_hash</t>", b"<t>previous</t>", 1)), "the header lacks the columns prev_hash"),
        "a shared string that is not there": (lambda d: _xlsx_member(d, "xl/worksheets/sheet1.xml", lambda c: re.sub(rb'<c r="F2" t="inlineStr"><is><t>[^<]*</t></is></c>', b'<c r="F2" t="s"><v>99999</v></c>', c)), "a shared string that is not there"),
        "a cell far off the sheet": (lambda d: _xlsx_member(d, "xl/worksheets/sheet1.xml", lambda c: c.replace(b'<c r="F2"', b'<c r="ZZZZZ2"', 1)), "is not a column"),
        "data that is not JSON": (lambda d: _xlsx_member(d, "xl/worksheets/sheet1.xml", lambda c: re.sub(rb'(<c r="L2" t="inlineStr"><is><t>)', rb"\g<1>not JSON ", c)), "row 2: the data cell is not valid JSON"),
        "manifest counting words": (lambda d: _xlsx_member(d, "xl/worksheets/sheet2.xml", lambda c: re.sub(rb'(<t>rows</t></is></c><c r="B\d+") t="n"><v>\d+</v>', rb'\1 t="inlineStr"><is><t>many</t></is>', c)), "rows is not a whole number"),
        "manifest of another format": (lambda d: _xlsx_member(d, "xl/worksheets/sheet2.xml", lambda c: c.replace(b"ctc-tracker-timeline/1", b"ctc-tracker-catalogue/1")), "not a timeline export's"),
    },
}


@pytest.mark.parametrize(("fmt", "name"), [(fmt, name) for fmt, cases in CORRUPTIONS.items() for name in cases])
def test_a_damaged_export_gets_one_clear_line(exports, tmp_path, fmt, name):
    change, message = CORRUPTIONS[fmt][name]
    if change is None:  # a file of another format under this name
        data = exports["xlsx" if fmt == "csv" else "csv"]
    else:
        data = change(exports[fmt])
    path = tmp_path / f"damaged.{fmt}"
    path.write_bytes(data)
    result = verify(path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr == "" and "Traceback" not in result.stdout
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("NOT VERIFIED: ")
    assert message in lines[0]


def test_a_missing_file_and_a_folder_get_one_line(tmp_path):
    folder = tmp_path / "folder.jsonl"
    folder.mkdir()
    for path in (tmp_path / "nowhere.csv", folder):
        result = verify(path)
        assert result.returncode == 1 and result.stderr == ""
        assert len(result.stdout.splitlines()) == 1 and result.stdout.startswith("NOT VERIFIED: cannot read")


def test_random_damage_is_always_read_or_refused(exports):
    """Cut and overwrite bytes anywhere: the readers refuse with their own message or read the file."""
    for fmt in ("csv", "jsonl", "xlsx"):
        exports[fmt]
    expected = (verify_export.Malformed, UnicodeDecodeError, verify_export.csv.Error)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(fmt=st.sampled_from(["csv", "jsonl", "xlsx"]), cut=st.floats(0, 1), damage=st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=1, max_size=8)), max_size=3))
    def damaged_file_is_handled(fmt, cut, damage):
        data = bytearray(exports[fmt][: int(len(exports[fmt]) * cut) or None])
        for where, junk in damage:
            at = int(len(data) * where)
            data[at : at + len(junk)] = junk
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=f".{fmt}") as handle:
            handle.write(bytes(data))
            handle.flush()
            try:
                rows, manifest = verify_export.__dict__[f"read_{fmt}"](handle.name)
                verify_export.verify(rows, manifest)
            except expected:
                pass
            out = io.StringIO()
            with redirect_stdout(out):
                code = verify_export.main(["verify_export.py", handle.name])
        assert code in (0, 1) and len(out.getvalue().splitlines()) == 1

    damaged_file_is_handled()
