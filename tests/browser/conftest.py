"""Fixtures for tests in a real browser: the app served on 127.0.0.1, and Debian's Chromium driven by
Playwright, with every request that would leave the machine blocked and reported.

``live_server`` is the demo app's base URL; ``start_server(database_url, configure=…)`` serves any
other app (``configure(app)`` may add routes before the first request). ``page`` is a fresh page
in its own browser context: ``page.console_errors`` collects console errors and uncaught
exceptions, and the test fails at teardown if anything tried to reach a host other than
127.0.0.1/localhost (``page.outside_requests`` lists them). ``screenshot(page, name)`` saves a PNG.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.serving import make_server

from webapp import create_app
from webapp.config import Settings

CHROMIUM = Path(os.environ.get("SAFEGROUND_CHROMIUM", "/usr/bin/chromium"))
"""Debian's Chromium; ``SAFEGROUND_CHROMIUM`` points elsewhere (e.g. ``/usr/bin/chromium-browser``)."""
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
LOCAL_SCHEMES = {"data", "blob", "about"}
VIEWPORT = {"width": 1280, "height": 900}


def _unavailable(reason: str):
    """Skip on a developer machine without a browser; under CI a missing browser is an error."""
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@dataclass
class LiveServer:
    url: str
    app: Flask


@pytest.fixture
def start_server(tmp_path):
    """Factory: ``start_server(database_url, configure=None, **settings)`` serves a SafeGround app on
    127.0.0.1 at a free port in a background thread and returns a :class:`LiveServer`. Every server
    is shut down after the test."""
    running = []

    def start(database_url: str, configure: Callable[[Flask], None] | None = None,
              **overrides) -> LiveServer:
        settings = Settings(database_url=database_url, data_dir=tmp_path, secret_key="test",
                            testing=True, **overrides)
        app = create_app(settings)
        if configure is not None:
            configure(app)
        server = make_server("127.0.0.1", 0, app, threaded=True)  # port 0: the OS picks a free one
        thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
        thread.start()
        running.append((server, thread, app))
        return LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)

    yield start
    from webapp.extensions import store

    for server, thread, app in running:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        store(app).dispose()


@pytest.fixture
def live_server(start_server, demo_url) -> str:
    """Base URL (``http://127.0.0.1:PORT``) of the app serving the demo data."""
    return start_server(demo_url).url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless. Playwright gives each launch a fresh, temporary profile."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is not installed (scripts/install-system-deps.sh --browser)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install -e '.[test]')")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def page(browser):
    """A page in a new browser context that may only talk to 127.0.0.1."""
    context = browser.new_context(viewport=VIEWPORT, service_workers="block")
    outside: list[str] = []
    errors: list[str] = []

    def guard(route):
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES or parts.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("console", lambda msg: errors.append(f"{msg.text} ({msg.location.get('url', '')})")
            if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    page.console_errors = errors
    page.outside_requests = outside
    yield page
    context.close()
    assert not outside, f"the page tried to reach hosts other than 127.0.0.1: {outside}"


@pytest.fixture
def screenshot(tmp_path):
    """``screenshot(page, name) -> Path``: saves a full-page PNG and returns where. ``name`` may be an
    absolute path; otherwise the file goes to ``$SAFEGROUND_SCREENSHOTS`` when that is set (to look
    at afterwards), else to the test's temporary folder."""
    folder = Path(os.environ.get("SAFEGROUND_SCREENSHOTS") or tmp_path / "screenshots")

    def take(page, name: str | Path, full_page: bool = True) -> Path:
        path = Path(name)
        if path.suffix != ".png":
            path = path.with_name(path.name + ".png")
        if not path.is_absolute():
            path = folder / path
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
