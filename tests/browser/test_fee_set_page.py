"""An officer sets a fee at a step on a phone-sized screen (found trying it: a double click set the fee twice,
and the fee table pushed the page 176 px sideways at 360 px, the cashier's queue 338 px)."""

import pytest

from motcua.payments.models import PaymentIntent

from .conftest import assert_accessible
from .test_journey_dossier import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_double_click_sets_one_fee_and_the_box_fits_a_phone(browser, live_server, fee_dossier, staff):
    phone = browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server.url, locale="vi-VN")
    page = phone.new_page()
    login(page, "tiepnhan")
    for n in range(3):  # a few lines with long references, as after a few steps
        page.goto(f"/can-bo/ho-so/{fee_dossier.code}")
        page.get_by_text("Thu thêm phí, lệ phí").click()
        page.get_by_label("Nội dung thu").fill(f"Phí chứng thực lần {n + 1}")
        page.get_by_label("Số tiền (đồng)").fill("20.000 đ")
        page.get_by_role("button", name="Ghi khoản thu và báo công dân").dblclick()
        # Both clicks' posts and redirects finish before the next step navigates (no interrupted navigation).
        page.wait_for_load_state("networkidle")
    assert PaymentIntent.objects.filter(dossier=fee_dossier, line__startswith="officer-").count() == 3
    page.goto(f"/can-bo/ho-so/{fee_dossier.code}")
    assert page.get_by_test_id("officer-payment-box").get_by_text("Phí chứng thực lần 3").is_visible()
    no_scroll = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_scroll, "the officer's dossier page scrolls sideways on a 360-px phone"
    assert_accessible(page)
    page.goto("/can-bo/thanh-toan")  # the cashier's queue lists those lines (it was 698 px wide)
    assert page.get_by_text("Phí chứng thực lần 3").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the cashier page scrolls"
