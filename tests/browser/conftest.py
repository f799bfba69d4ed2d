"""Real-browser fixtures: the app on a live port, headless Chromium through Playwright, axe-core.

The browser is Debian's Chromium at /usr/bin/chromium (CHROMIUM_PATH overrides it), driven by
the ``playwright`` package; Playwright's own browser downloads are never used. Without either,
the browser tests skip and say why. axe-core comes from AXE_CORE_JS, or from an npm install
into a cache folder outside the repository; without it the accessibility tests skip.

A failing test leaves a screenshot of each of its pages in test-artifacts/ at the repository root.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT, dispose, make_app

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts"
AXE_PACKAGE = "axe-core@4"
AXE_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tracker-axe"
TIMEOUT_MS = 10_000

_REPORTS = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell whether the test failed."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def _failed(node) -> bool:
    reports = node.stash.get(_REPORTS, {})
    return any(report.failed for report in reports.values())


@dataclass
class LiveServer:
    app: object
    url: str


@pytest.fixture
def live_server(database_url):
    """The app on 127.0.0.1 at a free port, served from a background thread, on this test's database."""
    from werkzeug.serving import make_server

    app = make_app(database_url)
    # A thread per connection, as a browser expects: a connection it opens ahead of need blocks no other.
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        dispose(app)


@pytest.fixture(scope="session")
def playwright_api():
    return pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed (pip install playwright)")


@pytest.fixture(scope="session")
def browser(playwright_api):
    """One headless Chromium for the whole run."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(request, browser, live_server, playwright_api):
    """Return a factory of pages, each in a browser context of its own (its own cookies).

    The live server is a dependency so that every context is closed before the server stops.
    """
    playwright_api.expect.set_options(timeout=TIMEOUT_MS)
    contexts = []

    def make(**options):
        context = browser.new_context(base_url=live_server.url, locale="en-GB", **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    if _failed(request.node):
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
        for number, context in enumerate(contexts, start=1):
            for page in context.pages:
                suffix = "" if number == 1 else f"-{number}"
                try:
                    page.screenshot(path=str(ARTIFACTS / f"{name}{suffix}.png"), full_page=True)
                except playwright_api.Error as error:  # a crashed page: report the test's own failure
                    print(f"no screenshot of {page.url}: {error}")
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A page in a fresh browser context for this test."""
    return new_page()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The text of axe.min.js: from AXE_CORE_JS, or installed with npm into a cache outside the repository."""
    configured = os.environ.get("AXE_CORE_JS")
    if configured:
        if not os.path.isfile(configured):
            pytest.skip(f"AXE_CORE_JS names {configured}, which is not a file")
        return Path(configured).read_text(encoding="utf-8")
    script = AXE_CACHE / "node_modules" / "axe-core" / "axe.min.js"
    if not script.is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("axe-core is not available: set AXE_CORE_JS to axe.min.js, or install node and npm")
        command = [npm, "install", "--prefix", str(AXE_CACHE), "--no-audit", "--no-fund", AXE_PACKAGE]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        if done.returncode != 0 or not script.is_file():
            pytest.skip(f"could not install {AXE_PACKAGE} with npm into {AXE_CACHE}: {done.stderr.strip()[-500:]}")
    return script.read_text(encoding="utf-8")
