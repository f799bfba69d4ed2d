"""A small HTTP load generator: threads, http.client, 127.0.0.1 only, bounded in count and time."""

from __future__ import annotations

import http.client
import re
import threading
import time
from urllib.parse import urlencode

HOST = "127.0.0.1"
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def _cookie(response, jar: dict) -> None:
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name] = rest.split(";", 1)[0]


def _header(jar: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def login(port: int, email: str, password: str) -> str:
    """Sign in through /login like a browser; return the Cookie header of the session."""
    jar: dict = {}
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request("GET", "/login")
    response = conn.getresponse()
    html = response.read().decode()
    _cookie(response, jar)
    conn.close()
    match = _TOKEN.search(html)
    body = urlencode({"email": email, "password": password, "csrf_token": match.group(1) or match.group(2)})
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request("POST", "/login", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": _header(jar),
    })
    response = conn.getresponse()
    response.read()
    _cookie(response, jar)
    conn.close()
    if response.status != 302:
        raise RuntimeError(f"login of {email} answered {response.status}")
    return _header(jar)


def wait_ready(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/bench/minimal")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
        finally:
            conn.close()
    raise RuntimeError("gunicorn did not answer in time")


def hammer(port: int, path: str, cookie: str = "", threads: int = 4, seconds: float = 5.0, max_requests: int = 20000) -> dict:
    """Send GET requests from ``threads`` threads for ``seconds`` (or ``max_requests``); return rps."""
    lock = threading.Lock()
    state = {"done": 0, "failed": 0, "sent": 0}
    headers = {"Cookie": cookie} if cookie else {}
    deadline = time.monotonic() + seconds

    def worker():
        while time.monotonic() < deadline:
            with lock:
                if state["sent"] >= max_requests:
                    return
                state["sent"] += 1
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
                conn.close()
            except OSError:
                ok = False
            with lock:
                state["done" if ok else "failed"] += 1

    start = time.monotonic()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.monotonic() - start
    return {"rps": state["done"] / elapsed, "done": state["done"], "failed": state["failed"], "seconds": elapsed}
