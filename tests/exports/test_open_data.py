"""The public open-data export of accepted public statuses: everything else is redacted."""

import csv
import io


def test_only_accepted_public_updates_are_published(client, reporting):
    reporting.update("FRA", "III.7", "accepted", confidentiality="public", narrative="France connected to iARMS.", claimed="implemented", links=("https://example.org/iarms",))
    reporting.update("NGA", "III.7", "accepted", confidentiality="committee", narrative="Committee only.")
    reporting.update("DEU", "III.7", "submitted", confidentiality="public", narrative="Not reviewed yet.")
    reporting.update("ESP", "III.7", "draft", confidentiality="public", narrative="A draft.")
    document = client.get("/open-data/statuses.json").get_json()
    assert [(r["entity"], r["item"], r["status"]) for r in document["statuses"]] == [("FRA", "III.7", "implemented")]
    assert document["statuses"][0]["evidence_links"] == ["https://example.org/iarms"]
    text = client.get("/open-data/statuses.csv").get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 1 and rows[0]["narrative"] == "France connected to iARMS."
    for secret in ("Committee only.", "Not reviewed yet.", "A draft."):
        assert secret not in text


def test_a_later_committee_update_keeps_the_last_public_one(client, reporting):
    reporting.update("FRA", "I.3", "accepted", confidentiality="public", narrative="Public words.")
    reporting.update("FRA", "I.3", "accepted", confidentiality="entity", narrative="Private words.")
    text = client.get("/open-data/statuses.csv").get_data(as_text=True)
    assert "Public words." in text and "Private words." not in text
