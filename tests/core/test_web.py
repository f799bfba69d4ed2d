"""Deny by default, security headers, and error pages that reveal nothing."""

import pytest

from tracker.core.access import rule_for


def test_every_route_declares_who_may_use_it(app):
    with app.test_request_context():
        undeclared = [rule.endpoint for rule in app.url_map.iter_rules() if rule_for(rule.endpoint) is None]
    assert undeclared == []


def test_a_view_without_a_rule_is_refused(app, client):
    app.add_url_rule("/undeclared", "undeclared", lambda: "secret")
    response = client.get("/undeclared")
    assert response.status_code == 403
    assert "secret" not in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/briefings/ctc-2018-10-08", "/no-such-page"])
def test_security_headers(client, url):
    headers = client.get(url).headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "object-src 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_an_unexpected_error_shows_a_generic_page(app, client):
    from tracker.core.access import public

    def broken():
        raise RuntimeError("secret detail in a traceback")

    app.add_url_rule("/broken", "broken", public(broken))
    response = client.get("/broken")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret detail" not in body and "Traceback" not in body
    assert "Nothing was changed" in body


def test_a_refusal_no_view_handled_is_a_clear_page_not_a_500(app, client):
    from tracker.core.access import public
    from tracker.core.errors import Conflict

    def racing():
        raise Conflict("Someone else changed this at the same moment.")

    app.add_url_rule("/racing", "racing", public(racing))
    response = client.get("/racing")
    assert response.status_code == 409
    assert "Someone else changed this" in response.get_data(as_text=True)
