"""The reports domain's routes in the access matrix (tests/test_access_matrix.py).

ROUTES maps each endpoint to [(method, url, {role: expected status})]; urls may use the
placeholders the matrix makes (own_assignment, other_assignment, own_draft, other_draft,
other_submitted, other_evidence, user) and any that objects() adds.

Every reports page is for the secretariat and auditors: the figures and the report quote
committee-confidential narratives, so focal points and administrators are refused.
"""

from tests.access import only, roles

OVERSEERS = roles(focal_point=403, secretariat=200, auditor=200)
ITEM = "/reports/briefings/ctc-2018-10-08/items/I.3"

ROUTES: dict = {
    "reports.dashboard": [
        ("GET", "/reports/", OVERSEERS),
        ("GET", "/reports/?as_of=2018-12-01&silent_days=10", OVERSEERS),
    ],
    "reports.assignments": [
        ("GET", "/reports/assignments?entity=NGA", OVERSEERS),
        ("GET", "/reports/assignments?flag=overdue&as_of=2019-01-15", OVERSEERS),
    ],
    "reports.grid": [("GET", "/reports/grid?session=I&sort=overdue", OVERSEERS)],
    "reports.item": [
        ("GET", ITEM, OVERSEERS),
        ("GET", ITEM + "?as_of=2018-12-01", OVERSEERS),
        ("GET", "/reports/briefings/ctc-2018-10-08/items/NO.SUCH", roles(focal_point=403, secretariat=404, auditor=404)),
    ],
    "reports.progress_report": [("GET", "/reports/progress-report", OVERSEERS)],
    "reports.progress_report_pdf": [("GET", "/reports/progress-report.pdf", OVERSEERS)],
    "reports.freeze": [("POST", "/reports/rounds/{round}/freeze", only("secretariat", ok=302))],
    "reports.frozen": [("GET", "/reports/frozen/{frozen}", OVERSEERS)],
    "reports.frozen_pdf": [("GET", "/reports/frozen/{frozen}.pdf", OVERSEERS)],
}


def objects(app, reporting) -> dict:
    """Make what this domain's urls name; return {placeholder: value}."""
    from sqlalchemy import select

    from tracker.catalogue.models import ReportingRound
    from tracker.extensions import db
    from tracker.reports.operations import freeze_report

    with app.app_context():
        round_ = db.session.scalar(select(ReportingRound).order_by(ReportingRound.id))
        frozen = freeze_report(round_, reporting._user("secretariat"))
        db.session.commit()
        return {"round": round_.id, "frozen": frozen.id}
