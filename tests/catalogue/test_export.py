"""The open-data export: its documented shape, and that it says what the catalogue says."""

import json
from datetime import date

from tracker.catalogue import catalogue_file


def test_export_has_the_documented_shape(cli, app):
    result = cli.invoke(args=["catalogue", "export"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert set(document) >= {"briefings", "entities", "rounds"}
    (briefing,) = document["briefings"]
    assert {"code", "date", "title", "source_document", "sessions"} <= set(briefing)
    assert briefing["code"] == "ctc-2018-10-08" and briefing["date"] == "2018-10-08"
    item_keys = {"code", "kind", "text", "source_quote", "paragraph", "themes", "resolutions", "addressees", "due"}
    for session in briefing["sessions"]:
        assert {"code", "title", "recommendations"} <= set(session)
        for item in session["recommendations"]:
            assert item_keys <= set(item)
            date.fromisoformat(item["due"])
    assert all({"code", "kind", "name"} <= set(e) for e in document["entities"])
    (round_,) = document["rounds"]
    assert round_ == {
        "code": "jsm-2019",
        "title": "Progress towards the joint special meeting",
        "due": "2019-02-28",
        "meeting_date": "2019-03-31",
    }


def test_export_matches_the_catalogue_file(cli, app):
    catalogue = catalogue_file.load(app.config["SEED_DIR"])
    document = json.loads(cli.invoke(args=["catalogue", "export"]).output)
    exported = {
        item["code"]: item
        for session in document["briefings"][0]["sessions"]
        for item in session["recommendations"]
    }
    assert set(exported) == {item.code for item in catalogue.items}
    for item in catalogue.items:
        row = exported[item.code]
        assert row["source_quote"] == item.quote
        assert row["paragraph"] == item.paragraph
        assert row["addressees"] == sorted(item.addressees, key=lambda c: (c != "member_states", c))
        assert row["themes"] == sorted(item.themes)
        assert row["kind"] == item.kind.value
    states = [e for e in document["entities"] if e["kind"] == "member_state"]
    assert len(states) == 193
    assert {"code": "FRA", "kind": "member_state", "name": "France"} in states
