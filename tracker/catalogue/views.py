"""Public pages: briefings, sessions, items with their provenance, and the full summary."""

from __future__ import annotations

import re

from flask import Blueprint, redirect, render_template, url_for

from tracker.catalogue import queries
from tracker.core.access import public

bp = Blueprint("catalogue", __name__)


@bp.get("/")
@public
def index():
    briefings = queries.briefings()
    if len(briefings) == 1:
        return redirect(url_for(".briefing", code=briefings[0].code))
    return render_template("catalogue/index.html", briefings=briefings)


@bp.get("/briefings/<code>")
@public
def briefing(code: str):
    return render_template("catalogue/briefing.html", briefing=queries.get_briefing(code), themes=queries.themes())


@bp.get("/briefings/<code>/sessions/<session_code>")
@public
def session(code: str, session_code: str):
    briefing = queries.get_briefing(code)
    return render_template(
        "catalogue/session.html",
        briefing=briefing,
        session=queries.get_session(briefing, session_code),
        themes=queries.themes(),
    )


@bp.get("/briefings/<code>/items/<item_code>")
@public
def item(code: str, item_code: str):
    briefing = queries.get_briefing(code)
    item = queries.get_recommendation(briefing, item_code)
    return render_template(
        "catalogue/item.html",
        briefing=briefing,
        item=item,
        parts=highlight(item.source_paragraph.text, item.source_quote),
    )


@bp.get("/briefings/<code>/summary")
@public
def summary(code: str):
    return render_template("catalogue/summary.html", briefing=queries.get_briefing(code))


def highlight(text: str, quote: str) -> tuple[str, str, str]:
    """Split text into (before, quote, after), matching the quote whitespace aside."""
    pattern = r"\s+".join(re.escape(word) for word in quote.split())
    match = re.search(pattern, text)
    if match is None:
        return text, "", ""
    return text[: match.start()], match.group(0), text[match.end() :]
