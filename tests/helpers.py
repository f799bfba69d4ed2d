"""Small helpers for driving the app through its forms, CSRF tokens included."""

from __future__ import annotations

import re

PASSWORD = "a long and unguessable passphrase 42"
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(client, page: str = "/login") -> str:
    """Fetch a page that renders a form and return its CSRF token."""
    html = client.get(page).get_data(as_text=True)
    match = _TOKEN.search(html)
    assert match, f"no CSRF token on {page}"
    return match.group(1) or match.group(2)


def submit(client, url: str, data: dict | None = None, page: str | None = None, **kwargs):
    """POST a form the way a browser would: with the token from the page that shows it."""
    data = dict(data or {})
    data["csrf_token"] = csrf_token(client, page or url)
    return client.post(url, data=data, **kwargs)


def login(client, email: str, password: str = PASSWORD):
    response = submit(client, "/login", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response
