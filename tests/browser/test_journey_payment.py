"""A fee-bearing procedure paid by VietQR, in Chromium on a phone-sized screen: the citizen submits, sees
the amount and the QR, the simulated bank transfers and posts its signed notification, the dossier shows
"Đã thanh toán", and the signed receipt downloads and verifies with poppler's pdfsig."""

import re

import pytest

from motcua.payments.models import Payment

from ..test_documents import _nss, pdfsig
from .conftest import assert_accessible
from .test_journey_dossier import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_pays_a_fee_by_vietqr_and_downloads_the_signed_receipt(
    browser, live_server, catalog, citizen, office_a, staff, bank_account, payment_settings, tmp_path
):
    phone = browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server.url, locale="vi-VN")
    page = phone.new_page()
    login(page, "congdan1")
    page.goto("/thu-tuc/1.004873")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.get_by_label("Giấy xác nhận dùng để làm gì").fill("Để đăng ký kết hôn")
    page.get_by_label("Chưa kết hôn", exact=True).check()
    page.get_by_role("button", name="Tiếp tục").click()
    if page.get_by_role("heading", name="Giấy tờ kèm theo").is_visible():
        page.get_by_role("button", name="Tải lên và tiếp tục").click()
    assert page.get_by_role("heading", name="Kiểm tra trước khi gửi").is_visible()
    assert page.get_by_text("10.000 ₫").first.is_visible()  # the amount before submitting
    page.get_by_role("button", name="Gửi hồ sơ").click()
    page.wait_for_url(re.compile(r".*/ho-so/H15\.02839-\d{6}-0001$"))
    code = page.url.rsplit("/", 1)[1]
    assert page.get_by_test_id("payment-status").inner_text() == "Chờ thanh toán"
    page.get_by_test_id("payment-link").click()
    page.wait_for_url(re.compile(r".*/thanh-toan$"))
    assert page.get_by_test_id("payment-amount").inner_text() == "10.000 ₫"
    qr = page.get_by_test_id("payment-qr")
    assert qr.is_visible() and qr.locator("svg").count() == 1
    reference = page.get_by_test_id("payment-reference").inner_text()
    assert reference.startswith("MC") and len(reference) <= 25
    no_scroll = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_scroll, "the payment page scrolls sideways on a 360-px phone"
    assert_accessible(page)
    page.get_by_test_id("simulate-bank").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("payment-status").first.inner_text() == "Đã thanh toán"
    page.goto(f"/ho-so/{code}")
    assert page.get_by_test_id("payment-status").inner_text() == "Đã thanh toán"
    assert page.get_by_text("Đã thanh toán phí, lệ phí").is_visible()  # the timeline
    page.get_by_test_id("payment-link").click()
    href = page.get_by_test_id("receipt-link").first.get_attribute("href")
    receipt = page.request.get(href)
    assert receipt.status == 200 and receipt.body().startswith(b"%PDF")
    path = tmp_path / "bien-lai.pdf"
    path.write_bytes(receipt.body())
    output = pdfsig(path, _nss(tmp_path))
    assert "Signature Validation: Signature is Valid." in output, output
    assert "Certificate Validation: Certificate is Trusted." in output, output
    assert Payment.objects.get().channel == "direct_transfer"
    phone.close()
