"""A community team member records three people with the network off, comes back online, syncs, and the
three are counted exactly once; sending the same queue again adds nothing."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from motcua.accounts.models import Role
from motcua.outreach.models import AssistanceRecord, Member, Person, Team

from ..conftest import PASSWORD, make_unit
from .conftest import assert_accessible, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_offline_records_sync_once(browser, live_server, commune_a, village_a, make_officer):
    make_unit("02839-02", "Thôn Bản Phố", "village", commune_a)
    team = Team.objects.create(unit=commune_a, name="Tổ công nghệ số xã Bắc Hà")
    user = make_officer("tonhom", Role.TEAM_MEMBER, commune_a)
    Member.objects.create(
        team=team, user=user, full_name="Lù Văn Páo", phone="0912000114", active_from=dt.date(2025, 7, 1)
    )
    context = browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server.url)
    page = context.new_page()
    page.goto("/dang-nhap")
    page.get_by_label("Số điện thoại, số định danh cá nhân hoặc tên đăng nhập").fill("tonhom")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto("/to-cong-nghe/ghi-nhan")
    wait_until(page, "window.motcuaOutreach !== undefined")
    assert_accessible(page)
    context.set_offline(True)
    for name, village in (
        ("Sùng A Páo", "Thôn Na Hối"),
        ("Vàng Thị Mai", "Thôn Bản Phố"),
        ("Lò Văn Hải", "Thôn Na Hối"),
    ):
        page.get_by_label("Họ và tên người được hỗ trợ").fill(name)
        page.get_by_label("Thôn, bản").select_option(label=village)
        page.get_by_label("Kích hoạt định danh điện tử VNeID mức 2").check()
        page.get_by_role("button", name="Ghi nhận").click()
        expect(page.locator("#queue")).to_contain_text(name)
    assert page.locator("#queue-count").inner_text() == "3"
    assert "ngoại tuyến" in page.locator("#sync-status").inner_text()
    assert AssistanceRecord.objects.count() == 0
    queued = page.evaluate("window.motcuaOutreach.all()")
    assert len(queued) == 3
    context.set_offline(False)  # the page syncs by itself when the network comes back
    expect(page.locator("#sync-status")).to_contain_text("Đã đồng bộ 3", timeout=30000)
    assert page.locator("#queue-count").inner_text() == "0"  # synced records leave the phone
    assert AssistanceRecord.objects.count() == 3 and Person.objects.count() == 3
    # A retried sync of the same queue (the phone lost the answer) adds nothing.
    answer = page.evaluate(
        """async (records) => {
            const token = document.querySelector('[name=csrfmiddlewaretoken]').value;
            const res = await fetch('/api/v1/outreach/records', {method: 'POST', credentials: 'same-origin',
                headers: {'Content-Type': 'application/json', 'X-CSRFToken': token}, body: JSON.stringify({records})});
            return res.json();
        }""",
        queued,
    )
    assert answer["duplicate"] == 3 and answer["created"] == 0
    assert AssistanceRecord.objects.count() == 3
    page.goto("/to-cong-nghe/")
    assert page.get_by_text("Sùng A Páo").is_visible()
    context.close()


def test_form_opens_offline_after_one_visit_and_consent_is_checked_before_sync(
    browser, live_server, commune_a, village_a, make_officer
):
    """One online visit is enough: the service worker takes control of the open page and pre-caches the
    form, so a reload with no network still shows it. A record with a phone number but without the
    consent box ticked is caught on the phone, next to the box, and never queued."""
    team = Team.objects.create(unit=commune_a, name="Tổ công nghệ số xã Bắc Hà")
    user = make_officer("tonhom2", Role.TEAM_MEMBER, commune_a)
    Member.objects.create(
        team=team, user=user, full_name="Lù Văn Páo", phone="0912000115", active_from=dt.date(2025, 7, 1)
    )
    context = browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server.url)
    page = context.new_page()
    page.goto("/dang-nhap")
    page.get_by_label("Số điện thoại, số định danh cá nhân hoặc tên đăng nhập").fill("tonhom2")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto("/to-cong-nghe/ghi-nhan")  # the one online visit
    wait_until(page, "navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    wait_until(page, "caches.match('/to-cong-nghe/ghi-nhan').then((r) => !!r)")
    context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker
    assert page.locator("h1").inner_text() == "Ghi nhận người được hỗ trợ"
    wait_until(page, "window.motcuaOutreach !== undefined")  # the script came from the cache too
    page.get_by_label("Họ và tên người được hỗ trợ").fill("Giàng Thị Dợ")
    page.get_by_label("Số điện thoại (không bắt buộc)").fill("0912 345 678")
    page.get_by_label("Kích hoạt định danh điện tử VNeID mức 2").check()
    page.get_by_role("button", name="Ghi nhận").click()
    error = page.locator("#consent-error")
    assert error.inner_text() == "Cần người dân đồng ý thì mới ghi số định danh hoặc số điện thoại"
    assert page.locator("#queue-count").inner_text() == "0"
    assert page.evaluate("window.motcuaOutreach.all()") == []
    assert_accessible(page)
    page.get_by_label("Người dân đồng ý cho ghi số định danh, số điện thoại").check()
    page.get_by_role("button", name="Ghi nhận").click()
    wait_until(page, "document.getElementById('queue').textContent.includes('Giàng Thị Dợ')")
    assert page.locator("#consent-error").count() == 0
    context.set_offline(False)
    wait_until(page, "document.getElementById('sync-status').textContent.includes('Đã đồng bộ 1')")
    record = AssistanceRecord.objects.get()
    assert record.consent and record.phone
    context.close()
