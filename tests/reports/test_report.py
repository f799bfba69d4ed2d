"""The progress report: content, confidentiality, the PDF, and frozen copies compared with today."""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib

import pytest
from sqlalchemy import select, text

from tests.helpers import login, submit
from tracker.extensions import db


@pytest.fixture(autouse=True)
def _before_the_cut_off(in_round):
    """Updates made in these tests are received in time, unless a test moves the day on."""


@pytest.fixture
def secretariat(client, create_user):
    login(client, create_user("secretariat"))
    return client


@pytest.mark.parametrize("confidentiality, quoted", [("entity", False), ("committee", True), ("public", True)])
def test_highlights_quote_only_what_the_entity_allowed(app, reporting, secretariat, confidentiality, quoted):
    words = f"Our {confidentiality} narrative about the new anti-trafficking unit."
    reporting.update("NGA", "I.3", "accepted", narrative=words, confidentiality=confidentiality)
    html = secretariat.get("/reports/progress-report").get_data(as_text=True)
    assert (words in html) is quoted
    from tracker.catalogue.models import ReportingRound
    from tracker.reports import report

    with app.app_context():
        content = report.build(db.session.scalar(select(ReportingRound)))
    quotes = [h["text"] for s in content["sessions"] for i in s["items"] for h in i["highlights"]]
    assert (words in quotes) is quoted


def test_drafts_and_submitted_narratives_are_never_quoted(reporting, secretariat):
    reporting.update("NGA", "I.3", "submitted", narrative="Submitted but not yet accepted.")
    reporting.update("FRA", "I.4", "draft", narrative="A private draft.")
    html = secretariat.get("/reports/progress-report").get_data(as_text=True)
    assert "Submitted but not yet accepted." not in html and "A private draft." not in html


def test_the_report_names_addressees_by_status_and_carries_the_audit_head(app, reporting, secretariat):
    reporting.update("NGA", "I.3", "accepted", claimed="implemented")
    reporting.update("UNODC", "II.1", "accepted", claimed="in_progress")
    html = secretariat.get("/reports/progress-report").get_data(as_text=True)
    item = html.split('id="ri-I.3"')[1].split("</article>")[0]
    assert "Implemented</span> (1):\n        Nigeria" in item
    assert "No action reported</span> (192):" in item and "192 Member States" in item
    ii1 = html.split('id="ri-II.1"')[1].split("</article>")[0]
    assert "United Nations Office on Drugs and Crime" in ii1
    from tracker.audit.queries import head

    with app.app_context():
        seq, head_hash = head()
    assert head_hash in html and f"event {seq}" in html and "Generated " in html


def test_narratives_render_inert(reporting, secretariat):
    reporting.update("NGA", "I.3", "accepted", narrative='"><script>alert(1)</script>', confidentiality="public")
    html = secretariat.get("/reports/progress-report").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_the_pdf(reporting, secretariat):
    reporting.update("NGA", "I.3", "accepted", narrative="Quoted in the PDF.")
    response = secretariat.get("/reports/progress-report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-") and response.data.rstrip().endswith(b"%%EOF") and len(response.data) > 10_000
    assert "attachment" in response.headers["Content-Disposition"] and "jsm-2019" in response.headers["Content-Disposition"]


def _pdf_html(app):
    from flask import render_template

    from tracker.catalogue.models import ReportingRound
    from tracker.reports import report, views

    with app.test_request_context("/"):
        return render_template("reports/report_pdf.html", **views._report_context(report.build(db.session.scalar(select(ReportingRound)))))


def test_the_pdf_page_is_self_contained(app, reporting):
    """What WeasyPrint receives: styles inline, the short head hash in the running footer, no external URL."""
    from tracker.audit.queries import head

    html = _pdf_html(app)
    with app.app_context():
        head_hash = head()[1]
    footer = html.split('class="running-footer"')[1].split("</div>")[0]
    assert f"hash {head_hash[:12]}…" in footer and head_hash not in footer
    about = html.split('id="rs-about">')[-1]
    assert f'<span class="hash audit-head">{head_hash}</span>' in about
    assert "<link" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")


def test_the_pdf_cover_has_a_reference_a_date_and_a_distribution(app, reporting):
    html = _pdf_html(app)
    cover = html.split('<section class="cover"')[1].split("</section>")[0]
    assert '<dd class="reference">CTC/JSM-2019/PR</dd>' in cover
    assert '<dd class="distribution">Committee members</dd>' in cover
    assert "not a United Nations document symbol" in cover
    assert 'id="rs-summary">Executive summary' in html and 'href="#rs-statistics"' in html and "target-counter(attr(href), page)" in html
    assert '@bottom-right { content: "Page " counter(page) " of " counter(pages) "";' in html


def _streams(pdf: bytes) -> bytes:
    """The PDF with its compressed streams (object streams included) inflated, to search in."""
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            pass
    return b"\n".join(parts)


def test_the_pdf_is_tagged_for_screen_readers(reporting, secretariat):
    """PDF/UA-1: a structure tree, marked content, the language and the title shown as the window's."""
    body = _streams(secretariat.get("/reports/progress-report.pdf").data)
    assert b"/StructTreeRoot" in body and re.search(rb"/MarkInfo\s*<<\s*/Marked\s+true", body)
    assert re.search(rb"/Lang\s*\(en\)", body) and re.search(rb"/DisplayDocTitle\s+true", body)
    assert b"pdfuaid:part" in body


def _pdftotext(pdf: bytes, tmp_path) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian's poppler-utils, see make system-packages) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]


def test_the_pdf_reads_as_a_document(app, reporting, secretariat, tmp_path):
    """Page 1 of N on one line on every page, the cover's reference, contents with page numbers,
    the short hash in the footer and the full one on the last page."""
    from tracker.audit.queries import head

    reporting.update("NGA", "I.3", "accepted", narrative="Quoted in the PDF.")
    pages = _pdftotext(secretariat.get("/reports/progress-report.pdf").data, tmp_path)
    with app.app_context():
        head_hash = head()[1]
    total = len(pages)
    assert total > 3
    for number, page in enumerate(pages, 1):
        assert re.search(rf"Page {number} of {total}\n", page), page[-300:]
    assert "CTC/JSM-2019/PR" in pages[0] and "Distribution" in pages[0] and "Committee members" in pages[0], pages[0][:800]
    assert re.search(r"Statistics \.{3,} ?2\n", pages[0]) and re.search(rf"About this report \.{{3,}} ?{total}\n", pages[0])
    assert "Executive summary" in pages[0]
    assert f"{head_hash[:12]}…" in pages[1] and head_hash not in "".join(pages[:-1])
    assert head_hash in pages[-1].replace("\n", "")


def test_a_frozen_pdf_names_its_copy_in_the_reference(app, reporting, secretariat):
    submit(secretariat, "/reports/rounds/1/freeze", page="/reports/progress-report")
    from flask import render_template

    from tracker.reports import views
    from tracker.reports.models import FrozenReport

    with app.test_request_context("/"):
        kept = db.session.scalar(select(FrozenReport))
        html = render_template("reports/report_pdf.html", **views._report_context(kept.content, frozen=kept))
    assert f'<dd class="reference">CTC/JSM-2019/PR/F{kept.id}</dd>' in html and kept.content_sha256 in html.split('id="rs-about">')[-1]


def test_freeze_keeps_the_report_and_compares_it_with_today(app, reporting, secretariat):
    reporting.update("NGA", "I.3", "accepted", claimed="in_progress")
    response = submit(secretariat, "/reports/rounds/1/freeze", page="/reports/progress-report")
    assert response.status_code == 302
    frozen_url = response.headers["Location"]
    from tracker.audit.models import AuditEvent
    from tracker.reports.models import FrozenReport

    with app.app_context():
        kept = db.session.scalar(select(FrozenReport))
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "report.frozen"))
        assert event.data["content_sha256"] == kept.content_sha256 and event.target_id == kept.id
        assert kept.audit_seq == event.seq - 1
        snapshot = kept.content
    reporting.update("NGA", "I.3", "accepted", claimed="implemented")
    page = secretariat.get(frozen_url).get_data(as_text=True)
    assert "Integrity: the kept content matches" in page
    changes = page.split('id="h-compare"')[1].split("</section>")[0]
    assert "Nigeria" in changes and "Action under way" in changes and "Implemented" in changes
    kept_part = page.split("The report as frozen")[1]
    assert "Action under way</span> (1):\n        Nigeria" in kept_part
    with app.app_context():
        assert db.session.scalar(select(FrozenReport)).content == snapshot
    assert secretariat.get(frozen_url + ".pdf").data.startswith(b"%PDF-")


def test_a_frozen_report_cannot_be_altered(app, reporting):
    from tracker.reports.models import FrozenReport
    from tracker.reports.operations import freeze_report

    with app.app_context():
        from tracker.catalogue.models import ReportingRound

        freeze_report(db.session.scalar(select(ReportingRound)), reporting._user("secretariat"))
        db.session.commit()
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(text("UPDATE frozen_reports SET content_sha256 = 'x'"))
            db.session.flush()
        db.session.rollback()
        assert db.session.scalar(select(FrozenReport)).content_sha256 != "x"


def test_only_the_secretariat_freezes(app, create_user, reporting):
    from tracker.catalogue.models import ReportingRound
    from tracker.core.errors import Refused
    from tracker.reports.operations import freeze_report

    with app.app_context():
        with pytest.raises(Refused):
            freeze_report(db.session.scalar(select(ReportingRound)), reporting._user("auditor"))


def test_an_unknown_round_is_not_found(secretariat):
    assert secretariat.get("/reports/progress-report?round=nope").status_code == 404
    assert secretariat.get("/reports/frozen/999").status_code == 404
