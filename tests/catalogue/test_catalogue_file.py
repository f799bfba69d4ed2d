"""The curated catalogue against the words of the chair's summary."""

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import yaml

from tracker.catalogue import catalogue_file
from tracker.catalogue.source import normalize

SEED = Path(__file__).resolve().parents[2] / "seed"
SHARED_SOURCE = SEED.parent.parent / "shared" / "seeds" / "000_0b676a4466e110c0.txt"


@pytest.fixture(scope="module")
def catalogue():
    return catalogue_file.load(SEED)


def test_summary_is_an_unedited_copy_of_the_source():
    if not SHARED_SOURCE.exists():
        pytest.skip("the shared source document is not beside this checkout")
    assert (SEED / "summary.txt").read_bytes() == SHARED_SOURCE.read_bytes()


def test_every_quote_is_in_the_summary_and_in_its_paragraph(catalogue):
    whole = normalize((SEED / "summary.txt").read_text(encoding="utf-8"))
    for item in catalogue.items:
        assert normalize(item.quote) in whole, item.code
        assert normalize(item.quote) in catalogue.source.paragraph(item.paragraph).normalized, item.code


def test_paragraphs_are_numbered_through_the_document(catalogue):
    paragraphs = catalogue.source.paragraphs
    assert [p.number for p in paragraphs] == list(range(1, 28))
    # A paragraph broken across a page ("the United Nations / Interregional ...") is one paragraph.
    assert "United Nations Interregional Crime and Justice Research Institute" in paragraphs[6].normalized
    # The lead-in of the Session I recommendations and its bullets are one paragraph.
    assert paragraphs[15].text.startswith("The participants made a number of follow-up recommendations")
    assert paragraphs[15].text.count("\n- ") == 4


def test_items_per_session(catalogue):
    counts = {session.code: len(session.items) for session in catalogue.sessions}
    assert counts == {"INT": 3, "IS": 3, "I": 6, "II": 2, "III": 7, "FU": 1}


def test_the_four_bulleted_recommendations_are_items(catalogue):
    quotes = {normalize(item.quote) for item in catalogue.items}
    bullets = [
        line[2:].strip()
        for line in catalogue.source.paragraph(16).text.splitlines()
        if line.startswith("- ")
    ]
    assert len(bullets) == 4
    for bullet in bullets:
        assert normalize(bullet) in quotes


@pytest.mark.parametrize(
    ("addressee", "due"),
    [("CTED", date(2018, 11, 30)), ("UNICRI", date(2019, 1, 31)), ("CTC", date(2019, 3, 31))],
)
def test_dated_commitments_of_named_entities(catalogue, addressee, due):
    commitments = [i for i in catalogue.items if i.kind.value == "commitment" and addressee in i.addressees]
    assert [c.due for c in commitments] == [due]


def test_every_kind_of_actionable_item_is_drawn(catalogue):
    kinds = Counter(item.kind.value for item in catalogue.items)
    assert set(kinds) == {"recommendation", "good_practice", "vulnerability", "commitment"}
    for phrase in (
        # "the related challenges could be addressed by ...": each response is an item
        "enhancing national legislative and institutional frameworks",
        "increasing controls on the possession, use and transfer of weapons",
        "providing an effective criminal-justice response",
        "make full use of existing tools and databases on arms tracking",  # "Member States should"
        "Container Control Programme represented an important tool",
        "failure to assess the risk posed to certain economic sectors",  # key vulnerability
        "creation of joint investigative units",  # good practice
    ):
        assert any(phrase in normalize(i.quote) for i in catalogue.items), phrase


def test_no_item_is_due_after_the_joint_special_meeting(catalogue):
    assert all(item.due <= date(2019, 3, 31) for item in catalogue.items)
    assert all(item.due_note for item in catalogue.items)


def test_member_states_are_the_193_with_iso_codes(catalogue):
    states = [(code, name) for code, kind, name in catalogue.entities if kind.value == "member_state"]
    assert len(states) == 193
    assert len({code for code, _ in states}) == 193
    names = {name for _, name in states}
    assert {"Türkiye", "Côte d'Ivoire", "Viet Nam", "Bolivia (Plurinational State of)"} <= names
    assert not {"Holy See", "State of Palestine"} & names


def test_every_organization_named_in_the_summary_is_an_entity(catalogue):
    codes = {code for code, kind, _ in catalogue.entities if kind.value != "member_state"}
    assert {"CTC", "CTED", "UNODC", "UNICRI", "UNODA", "INTERPOL", "WCO", "GCTF", "OSRSG-SVC"} <= codes


def test_the_catalogue_file_is_plain_yaml():
    data = yaml.safe_load((SEED / "catalogue.yaml").read_text(encoding="utf-8"))
    assert data["briefing"]["code"] == "ctc-2018-10-08"
    assert data["rounds"][0]["meeting_date"] == date(2019, 3, 31)
