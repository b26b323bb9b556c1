"""The whole journey of a birth registration, in Chromium on a phone-sized screen (officers on a
desktop-sized one): citizen submits, the five steps run, the citizen sees the result and rates it."""

import re
from pathlib import Path

import pytest

from ..conftest import PASSWORD, PDF_BYTES, documents_for
from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, username):
    page.goto("/dang-nhap")
    page.get_by_label("Số điện thoại, số định danh cá nhân hoặc tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def logout(page):
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()


def officer_act(page, code, action_label, fill=None):
    page.goto(f"/can-bo/ho-so/{code}")
    card = page.locator("form.action-card", has=page.get_by_role("heading", name=action_label))
    for label, value in (fill or {}).items():
        if label in ("radio", "check"):
            card.get_by_label(value).check()
        elif label == "select":
            card.locator("select").select_option(value)
        else:
            card.get_by_label(label).fill(value)
    card.get_by_role("button", name=action_label).click()
    page.wait_for_load_state()


def test_birth_registration_journey(browser, live_server, catalog, citizen, office_a, staff, tmp_path):
    phone = browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server.url, locale="vi-VN")
    page = phone.new_page()
    login(page, "congdan1")
    page.goto("/")
    page.get_by_label("Bạn cần làm thủ tục gì?").fill("Đăng ký khai sinh")
    page.get_by_role("button", name="Tìm").click()
    page.get_by_role("link", name="Làm giấy khai sinh cho con", exact=True).click()
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    assert page.get_by_label("Họ và tên mẹ").input_value() == "Lò Thị Mai"  # prefilled
    page.get_by_role("button", name="Tiếp tục").click()  # empty required fields first
    assert page.title().startswith("Lỗi:")
    assert_accessible(page)
    page.get_by_label("Họ và tên của trẻ").fill("Hoàng Thị Lan")
    page.get_by_label("Ngày", exact=True).fill("20")
    page.get_by_label("Tháng", exact=True).fill("11")
    page.get_by_label("Năm", exact=True).fill("2026")
    page.get_by_label("Nữ", exact=True).check()
    page.get_by_label("Nơi sinh").fill("Trạm Y tế xã Bắc Hà")
    page.get_by_label("Mẹ", exact=True).check()
    page.get_by_role("button", name="Tiếp tục").click()
    assert page.get_by_role("heading", name="Giấy tờ kèm theo").is_visible()
    scan = tmp_path / "giay-chung-sinh.pdf"
    scan.write_bytes(PDF_BYTES)
    page.get_by_label("Giấy chứng sinh hoặc giấy tờ thay giấy chứng sinh").set_input_files(str(scan))
    page.get_by_role("button", name="Tải lên và tiếp tục").click()
    assert page.get_by_role("heading", name="Kiểm tra trước khi gửi").is_visible()
    assert page.get_by_text("giay-chung-sinh.pdf").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Gửi hồ sơ").click()
    page.wait_for_url(re.compile(r".*/ho-so/H15\.02839-\d{6}-0001$"))
    code = page.url.rsplit("/", 1)[1]
    assert page.get_by_test_id("status").inner_text() == "Đã nộp, đang chờ cán bộ kiểm tra"
    # No receipt before the intake officer's completeness check.
    assert page.request.get(f"/ho-so/{code}/phieu/01.pdf").status == 404
    assert_accessible(page)
    logout(page)

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url, locale="vi-VN")
    office = desk.new_page()
    login(office, "tiepnhan")
    office.goto("/can-bo/ho-so?xem=new")
    assert office.get_by_role("link", name=code).is_visible()
    assert_accessible(office)
    officer_act(office, code, "Tiếp nhận hồ sơ")
    receipt = office.request.get(f"/ho-so/{code}/phieu/01.pdf")
    assert receipt.status == 200 and receipt.body().startswith(b"%PDF")
    officer_act(office, code, "Phân công chuyên viên", {"select": "chuyenvien"})
    logout(office)
    login(office, "chuyenvien")
    office.goto("/can-bo/ho-so?xem=mine")
    assert office.get_by_role("link", name=code).is_visible()
    officer_act(office, code, "Gửi ý kiến thẩm định", {"Ý kiến thẩm định": "Hồ sơ đủ điều kiện đăng ký khai sinh"})
    logout(office)
    login(office, "lanhdao")
    officer_act(office, code, "Phê duyệt")
    office.goto(f"/can-bo/ho-so/{code}")
    preview = office.request.get(
        office.get_by_role("link", name="Xem trước kết quả (bản chưa ký, PDF)").get_attribute("href")
    )
    assert preview.status == 200 and preview.body().startswith(b"%PDF")
    officer_act(office, code, "Ký số kết quả", {"check": "Tôi đã xem bản xem trước và xác nhận nội dung"})
    logout(office)
    login(office, "tiepnhan")
    officer_act(office, code, "Trả kết quả", {"radio": "Trực tuyến (bản điện tử)"})
    office.goto(f"/can-bo/ho-so/{code}")
    assert office.get_by_test_id("status").inner_text() == "Đã trả kết quả"
    assert_accessible(office)
    desk.close()

    login(page, "congdan1")
    page.goto("/ho-so")
    page.get_by_role("link", name=code).click()
    assert page.get_by_test_id("status").inner_text() == "Đã trả kết quả"
    page.get_by_label("5 — Rất hài lòng").check()
    page.get_by_label("Góp ý").fill("Cán bộ hướng dẫn tận tình")
    page.get_by_role("button", name="Gửi đánh giá").click()
    assert page.get_by_text("Bạn đã đánh giá 5/5").is_visible()
    phone.close()


def test_citizen_downloads_the_signed_result_and_reuses_it(browser, live_server, catalog, citizen, office_a, staff):
    from motcua.dossiers.services import dossier_submit

    from ..conftest import BIRTH_FORM, advance

    dossier, _ = dossier_submit(
        citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM, attachment_ids=documents_for(citizen)
    )
    advance(dossier, staff)
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, base_url=live_server.url, accept_downloads=True
    )
    page = context.new_page()
    login(page, "congdan1")
    page.goto(f"/ho-so/{dossier.code}")
    with page.expect_download() as info:
        page.get_by_test_id("result-link").click()
    download = info.value
    assert download.suggested_filename == f"{dossier.code}.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
    # A second procedure that needs the birth certificate takes it from the store.
    page.goto("/thu-tuc/1.004859/nop-truc-tuyen")
    page.get_by_label("Nội dung đề nghị").fill("Sửa tên đệm của con trong giấy khai sinh")
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_label(re.compile(r"Giấy khai sinh \(bản chính\).*bản điện tử có chữ ký số")).check()
    page.get_by_role("button", name="Tải lên và tiếp tục").click()
    assert page.get_by_role("heading", name="Kiểm tra trước khi gửi").is_visible()
    page.get_by_role("button", name="Gửi hồ sơ").click()
    page.wait_for_url(re.compile(r".*/ho-so/H15\.02839-\d{6}-\d{4}$"))
    page.goto("/kho-du-lieu")
    assert page.get_by_text("Đã dùng cho hồ sơ").first.is_visible()
    assert_accessible(page)
    context.close()
