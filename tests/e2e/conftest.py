"""Browser tests: the real app served on 127.0.0.1 from its own database, driven by
Debian's Chromium through Playwright, every page checked with axe.

No per-test transaction here: the browser talks to a server thread, so what a test
writes is really committed (each e2e test uses fresh e-mail addresses and handles).
"""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import flask_migrate
import pytest
from werkzeug.serving import make_server

from lab.extensions import db
from tests.conftest import make_app
from tests.support import postgres_url, sqlite_url, unavailable

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def live_app(request, tmp_path_factory):
    """The app on a fresh database of its own, migrated to the newest schema."""
    if request.param == "sqlite":
        url = sqlite_url(tmp_path_factory.mktemp("e2e-db"))
    else:
        url = postgres_url("_e2e")
    # No SERVER_NAME: URLs (and the links in mails) follow the host the browser uses.
    app = make_app(url, MAIL_SEND_IMMEDIATELY=False, SERVER_NAME=None)
    with app.app_context():
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app):
    """Base URL of the app served by a real HTTP server in a daemon thread."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) per test, based at the live server."""
    context = browser.new_context(base_url=live_server, locale="de-DE")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def unique():
    """A short random suffix for e-mail addresses and handles."""
    return uuid.uuid4().hex[:8]
