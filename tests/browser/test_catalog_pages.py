import pytest

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/",
    "/tim-kiem?q=giay+doc+than",
    "/thu-tuc/1.001193",
    "/thu-tuc/2.000815",
    "/linh-vuc/ho-tich",
    "/lien-he",
    "/tro-ly",
    "/tim-kiem?q=ba+noi+mat+roi+thi+lam+sao",
    "/tim-kiem?q=ly+h%C3%B4n",
]


def transferred_bytes(page) -> int:
    return page.evaluate(
        """() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
                 .reduce((sum, e) => sum + (e.transferSize || e.encodedBodySize || 0), 0)"""
    )


@pytest.mark.parametrize("path", PAGES)
def test_public_page_on_a_phone(phone_page, catalog, office_a, path):
    page = phone_page
    page.goto(path)
    assert page.locator("h1").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, "horizontal scroll at 360 px"
    size = transferred_bytes(page)
    assert 0 < size <= 60_000, f"{path}: {size} bytes"
    assert_accessible(page)


def test_find_a_procedure_without_javascript(browser, live_server, catalog, office_a):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, java_script_enabled=False, base_url=live_server.url
    )
    page = context.new_page()
    page.goto("/")
    page.get_by_label("Bạn cần làm thủ tục gì?").fill("giay doc than")
    page.get_by_role("button", name="Tìm").click()
    page.get_by_role("link", name="Xin giấy xác nhận độc thân").click()
    assert page.locator("h1").inner_text() == "Xin giấy xác nhận độc thân"
    assert page.get_by_text("Giấy tờ cần mang").is_visible()
    # The assistant answers through a plain form post.
    page.goto("/tro-ly")
    page.get_by_label("Câu hỏi của bạn").fill("công chứng bằng tốt nghiệp")
    page.get_by_role("button", name="Gửi câu hỏi").click()
    assert "2.000815" in page.locator(".chat").inner_text()
    context.close()


def test_english_question_finds_the_birth_registration(phone_page, catalog, office_a):
    """With the interface switched to English, the search box's own kind of question finds the procedure,
    shown with its English name and summary."""
    page = phone_page
    page.goto("/")
    page.get_by_label("Ngôn ngữ").select_option("en")
    page.get_by_role("button", name="Đổi").click()
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_label("What do you need to do?").fill("birth certificate for my child")
    page.get_by_role("button", name="Search").click()
    first = page.locator("ol.results li").first
    assert "Register a child's birth" in first.inner_text()
    assert_accessible(page)
    first.get_by_role("link").click()
    assert page.url.endswith("/thu-tuc/1.001193")
    assert page.get_by_text("Birth registration for a newborn").is_visible()
    # The assistant answers the same English question in English.
    page.goto("/tro-ly")
    page.locator("#text").fill("my father passed away")
    page.locator("form#cuoi button[type=submit]").first.click()
    assert page.get_by_text("When a family member dies").first.is_visible()
