"""Render a report page to PDF with WeasyPrint, fetching nothing from anywhere."""

from __future__ import annotations


def render(html: str) -> bytes:
    """Return the PDF of a self-contained HTML document (styles inline, charts as inline SVG).

    The PDF is tagged to PDF/UA-1: headings, lists, tables and the reading order are marked, so a
    screen reader can read it, and the document's title and language are declared.
    """
    from weasyprint import HTML  # imported here: it is heavy and only the PDF needs it
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"the PDF fetches nothing: {url[:80]}")

    return HTML(string=html, url_fetcher=NoFetching()).write_pdf(pdf_variant="pdf/ua-1")
