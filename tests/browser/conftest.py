"""Browser journeys: Playwright for Python driving Debian's Chromium (Playwright's own browser download
does not work on machines without internet). Without Chromium the journeys are skipped loudly, unless
MOTCUA_REQUIRE_BROWSER=1 (CI), where a missing browser fails the run."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's async guard would otherwise
# refuse the database calls that set up each journey.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE = {"width": 360, "height": 740}


def chromium_path() -> str | None:
    for candidate in (os.environ.get("MOTCUA_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


def pytest_collection_modifyitems(config, items):
    browser_items = [i for i in items if "browser" in i.keywords]
    if not browser_items or chromium_path():
        return
    message = "Chromium is not installed: browser journeys cannot run (scripts/install-browser.sh)"
    if os.environ.get("MOTCUA_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(message + " and MOTCUA_REQUIRE_BROWSER=1 requires them.")
    print("\n" + "*" * 78 + f"\n* SKIPPED {len(browser_items)} browser tests: {message}\n" + "*" * 78)
    skip = pytest.mark.skip(reason=message)
    for item in browser_items:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="vi-VN", base_url=live_server.url, is_mobile=True)
    page = context.new_page()
    yield page
    context.close()


def wait_until(page, expression: str, timeout: float = 30.0) -> None:
    """Poll a JavaScript expression (a Promise is awaited) until it is truthy.

    Use this instead of page.wait_for_function(): that one evals the string inside the page, which the
    Content-Security-Policy (no 'unsafe-eval') refuses; page.evaluate() goes through the DevTools protocol."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        if page.evaluate(expression):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(100)


def assert_accessible(page) -> None:
    """axe-core (from the axe-playwright-python package) with the WCAG 2.2 AA rule set: no violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]})
    violations = results.response["violations"]
    assert not violations, results.generate_report()
