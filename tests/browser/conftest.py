"""
Browser tests: Playwright for Python drives Debian's chromium (``/usr/bin/chromium``; nothing downloads a browser)
against the standalone demo server, started as ``make demo`` starts it, on a fresh database.

Without chromium or Playwright they are skipped, except in CI (``CI`` set), where they must run: ``make
test-browser`` installs Playwright from requirements/browser.txt and ``.ci/run`` installs chromium first.
Screenshots go to ``browser-screenshots/`` (git-ignored), at 1280 and 375 pixels wide.
"""
import importlib.util
import os
from pathlib import Path

import pytest

from tests.demo_server import serve_demo

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
COURSE = "course-v1:DemoX+CE101+2026"
PASSWORD = "demo-password"
SCREENSHOTS = Path(os.environ.get("CERTEXCEPTIONS_SCREENSHOTS",
                                  Path(__file__).resolve().parents[2] / "browser-screenshots"))
WIDTHS = (1280, 375)


# Without Playwright the test modules cannot even be imported, so they are left out; ``make test-browser`` installs
# Playwright first, and collecting no test there fails the target.
collect_ignore_glob = ["test_*.py"] if importlib.util.find_spec("playwright") is None else []


def _missing() -> str:
    if not Path(CHROMIUM).exists():
        return f"no {CHROMIUM} (apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "no Playwright (pip install -r requirements/browser.txt)"
    return ""


@pytest.fixture(scope="session")
def chromium():
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {missing}")
        pytest.skip(f"browser tests need chromium and Playwright: {missing}")
    from playwright.sync_api import sync_playwright  # pylint: disable=import-outside-toplevel
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory, chromium):  # pylint: disable=unused-argument  (no server without a browser)
    """The demo, served as ``make demo`` serves it, with its seed on a fresh SQLite file."""
    with serve_demo(tmp_path_factory.mktemp("browser-demo")) as server:
        yield server.url


@pytest.fixture
def sign_in(chromium, demo_url):
    """A new browser session signed in as ``username`` on the instructor dashboard, 1280 pixels wide."""
    contexts = []

    def open_dashboard(username):
        context = chromium.new_context(base_url=demo_url, viewport={"width": WIDTHS[0], "height": 900})
        contexts.append(context)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.errors = errors
        page.goto(f"/courses/{COURSE}/instructor")  # anonymous: the LMS's login page
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: url.endswith("/instructor"))
        return page

    yield open_dashboard
    for context in contexts:
        for page in context.pages:
            assert not page.errors, page.errors  # no script error in any page of the test
        context.close()


def screenshot(page, name):
    """The whole page at each width, into browser-screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(100)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(size)
