import datetime as dt

import pyotp
import pytest
from django.db.models import F
from django.urls import reverse

from motcua.accounts.models import LoginAttempt, Role

from .conftest import PASSWORD


def _login(client, identifier, password=PASSWORD, **extra):
    return client.post(reverse("accounts:login"), {"identifier": identifier, "password": password}, **extra)


@pytest.mark.parametrize("identifier", ["congdan1", "0912345001", "+84 912 345 001", "010190012345"])
def test_citizen_logs_in_by_username_phone_or_citizen_id(client, citizen, identifier):
    response = _login(client, identifier)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "Lò Thị Mai" in page.content.decode()


def test_wrong_password_is_refused_with_a_vietnamese_message(client, citizen):
    response = _login(client, "0912345001", "sai-mat-khau")
    assert response.status_code == 400
    body = response.content.decode()
    assert "mật khẩu chưa đúng" in body
    assert "<title>Lỗi:" in body
    assert "_auth_user_id" not in client.session


def test_empty_form_names_each_field(client, db):
    response = client.post(reverse("accounts:login"), {})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Nhập mật khẩu" in body and "Nhập số điện thoại" in body


def _age_attempts(seconds):
    """Move every counted try back in time (instead of sleeping)."""
    LoginAttempt.objects.update(created_at=F("created_at") - dt.timedelta(seconds=seconds))


def test_login_slows_down_per_account_however_it_is_typed(client, citizen):
    for _ in range(5):
        assert _login(client, "0912345001", "sai").status_code == 400
    # The 6th try comes too soon, even with the right password and the account typed another way.
    response = _login(client, "010190012345")
    assert response.status_code == 429
    assert "quá nhiều lần" in response.content.decode() and "giây" in response.content.decode()
    assert _login(client, "+84912345001").status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_stranger_cannot_lock_a_known_account(client, citizen):
    """Five wrong passwords cost the owner a second, not fifteen minutes."""
    for _ in range(5):
        _login(client, "congdan1", "sai")
    _age_attempts(2)
    assert _login(client, "congdan1").status_code == 302


def test_delays_grow_with_each_failure_and_are_capped(client, citizen, settings):
    from motcua.accounts.throttle import Rule, delay_after

    rule = Rule(**settings.THROTTLES["login"])
    delays = [delay_after(failures=n, rule=rule) for n in range(4, 14)]
    assert delays == [0, 1, 2, 4, 8, 16, 32, 60, 60, 60]
    for _ in range(8):
        _login(client, "congdan1", "sai")
        _age_attempts(60)
    _login(client, "congdan1", "sai")  # 9th failure: the next try must wait 16 s
    _age_attempts(10)
    limited = _login(client, "congdan1")
    assert limited.status_code == 429
    _age_attempts(7)
    assert _login(client, "congdan1").status_code == 302


def test_login_is_rate_limited_per_address(client, citizen, settings):
    settings.THROTTLES = {**settings.THROTTLES, "login": {**settings.THROTTLES["login"], "ip_max": 3}}
    for name in ("a", "b", "c"):
        _login(client, name, "sai")
    assert _login(client, "congdan1").status_code == 429


def test_success_clears_earlier_failures(client, citizen):
    _login(client, "congdan1", "sai")
    _login(client, "congdan1", "sai")
    assert _login(client, "congdan1").status_code == 302
    assert LoginAttempt.objects.filter(succeeded=False).count() == 0


def test_attempts_do_not_store_identifiers_in_clear(client, citizen):
    _login(client, "010190012345", "sai")
    stored = LoginAttempt.objects.get()
    assert "010190012345" not in stored.identifier_hash and stored.purpose == "login"


def test_logout_requires_post(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change(client, citizen):
    client.force_login(citizen)
    url = reverse("accounts:password_change")
    bad = client.post(url, {"old_password": "sai", "new_password": "x", "new_password_again": "y"})
    assert bad.status_code == 400
    assert "Mật khẩu hiện tại chưa đúng" in bad.content.decode()
    ok = client.post(
        url,
        {"old_password": PASSWORD, "new_password": "Ngay-moi-2027", "new_password_again": "Ngay-moi-2027"},
    )
    assert ok.status_code == 302
    citizen.refresh_from_db()
    assert citizen.check_password("Ngay-moi-2027")


class TestOfficerTotp:
    @pytest.fixture(autouse=True)
    def _totp_on(self, settings):
        settings.OFFICER_TOTP_REQUIRED = True

    def test_officer_without_totp_must_set_it_up_before_working(self, client, intake_a):
        response = _login(client, "tiepnhan")
        assert response["Location"] == reverse("accounts:totp_setup")
        # The workspace is closed until the second factor is set up.
        assert client.get(reverse("workspace:home"))["Location"] == reverse("accounts:totp_setup")
        # Knowing the password is not enough to enrol a phone: the page asks for the administrator's code.
        setup = client.get(reverse("accounts:totp_setup"))
        assert setup.status_code == 200 and "<svg" not in setup.content.decode()
        assert "Mã đăng ký" in setup.content.decode()
        wrong = client.post(reverse("accounts:totp_setup"), {"enrolment_code": "AAAA-BBBB"})
        assert wrong.status_code == 400 and "Mã đăng ký chưa đúng" in wrong.content.decode()
        from motcua.accounts.services import totp_enrolment_code_issue

        enrolment = totp_enrolment_code_issue(user=intake_a)
        assert client.post(reverse("accounts:totp_setup"), {"enrolment_code": enrolment.lower()}).status_code == 302
        setup = client.get(reverse("accounts:totp_setup"))
        assert setup.status_code == 200 and "<svg" in setup.content.decode()
        intake_a.refresh_from_db()
        assert intake_a.totp_secret in setup.content.decode()
        code = pyotp.TOTP(intake_a.totp_secret).now()
        assert client.post(reverse("accounts:totp_setup"), {"code": code}).status_code == 302
        assert client.get(reverse("workspace:home")).status_code == 200
        # The secret is never shown again, and the enrolment code does not work twice.
        again = client.get(reverse("accounts:totp_setup")).content.decode()
        assert intake_a.totp_secret not in again and "<svg" not in again
        from motcua.accounts.services import totp_enrolment_code_redeem

        assert not totp_enrolment_code_redeem(user=intake_a, code=enrolment, ip_address=None)

    def test_officer_with_totp_needs_the_code(self, client, intake_a):
        from motcua.accounts.services import totp_confirm, totp_setup_begin

        secret = totp_setup_begin(user=intake_a)
        assert totp_confirm(user=intake_a, code=pyotp.TOTP(secret).at(dt.datetime.now(dt.UTC), counter_offset=-1))
        response = _login(client, "tiepnhan")
        assert response["Location"] == reverse("accounts:login_totp")
        assert "_auth_user_id" not in client.session
        wrong = client.post(reverse("accounts:login_totp"), {"code": "000000"})
        assert wrong.status_code == 400 and "Mã xác thực chưa đúng" in wrong.content.decode()
        intake_a.refresh_from_db()
        right = client.post(reverse("accounts:login_totp"), {"code": pyotp.TOTP(secret).now()})
        assert right["Location"] == reverse("workspace:home")
        assert client.get(reverse("workspace:home")).status_code == 200

    def test_citizens_never_need_totp(self, client, citizen):
        assert _login(client, "congdan1")["Location"] == reverse("accounts:account")


def test_demo_mode_switches_totp_off(client, intake_a, settings):
    settings.OFFICER_TOTP_REQUIRED = False
    assert _login(client, "tiepnhan")["Location"] == reverse("workspace:home")


def test_workspace_is_404_for_citizens(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("workspace:home")).status_code == 404


def test_officer_role_in_workspace(client, intake_a, settings):
    settings.OFFICER_TOTP_REQUIRED = False
    client.force_login(intake_a)
    body = client.get(reverse("workspace:home")).content.decode()
    assert "Công chức tiếp nhận" in body and "Xã Bắc Hà" in body


def test_role_grant_is_idempotent(intake_a, commune_a):
    from motcua.accounts.services import role_grant

    role_grant(user=intake_a, role=Role.INTAKE_OFFICER, unit=commune_a)
    assert intake_a.grants.count() == 1
