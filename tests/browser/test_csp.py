"""The Content-Security-Policy in a real browser: no page breaks it (no violation reported), the print
button works from its static script, and the API documentation renders from our own static files."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text or "Refused to" in m.text else None,
    )
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    return problems


@pytest.mark.parametrize("path", ["/", "/thu-tuc/1.001193", "/dang-nhap", "/tra-cuu", "/xac-thuc", "/lich-lam-viec"])
def test_pages_raise_no_csp_violation(phone_page, catalog, office_a, path):
    problems = _watch(phone_page)
    phone_page.goto(path)
    phone_page.wait_for_load_state("networkidle")
    assert problems == []


def test_print_button_comes_from_a_static_script(phone_page, catalog, office_a):
    phone_page.goto("/thu-tuc/1.001193")
    expect(phone_page.get_by_role("button", name="In hướng dẫn này")).to_be_visible()


def test_api_docs_render_offline_from_our_static_files(browser, live_server, db):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    outside: list[str] = []
    # Anything not from the test server would be a CDN: refuse it and remember it.
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(live_server.url)
            else (outside.append(route.request.url), route.abort())
        ),
    )
    problems = _watch(page)
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Một Cửa Số API", timeout=20000)
    expect(page.locator(".opblock").first).to_be_visible()
    assert outside == [] and problems == []
    context.close()
