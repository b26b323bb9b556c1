"""One-time codes (issue 16, point 2): motcua/accounts/otp.py."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from motcua.accounts.models import OneTimeCode
from motcua.accounts.otp import OtpInvalid, otp_confirm, otp_issue, otp_resend, otp_resend_wait
from motcua.core.errors import RateLimited
from motcua.notifications.models import SimulatedSms

PHONE = "0977000111"
pytestmark = pytest.mark.django_db


def last_code(phone: str = PHONE) -> str:
    text = SimulatedSms.objects.filter(phone=phone).order_by("-pk").first().text
    return re.search(r"\b(\d{6})\b", text).group(1)


@pytest.fixture
def issue(django_capture_on_commit_callbacks):
    def _issue(phone=PHONE, ip="203.0.113.5", **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return otp_issue(purpose="register", phone=phone, payload={"x": 1}, ip_address=ip, **kwargs)

    return _issue


def test_the_code_goes_by_sms_and_only_its_hash_is_stored(issue):
    vid = issue()
    code = last_code()
    row = OneTimeCode.objects.get(pk=vid)
    assert len(code) == 6 and code not in row.code_hash and len(row.code_hash) == 64
    assert row.expires_at - row.sent_at == dt.timedelta(minutes=5)
    assert otp_confirm(verification_id=vid, code=code) == {"x": 1}
    # Used once: the second confirmation fails, and the details are no longer kept.
    with pytest.raises(OtpInvalid) as used:
        otp_confirm(verification_id=vid, code=code)
    assert used.value.code == "otp_used"
    assert OneTimeCode.objects.get(pk=vid).payload == {}


def test_five_wrong_codes_void_it_even_for_the_right_code(issue):
    vid = issue()
    code = last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(OtpInvalid) as exc:
            otp_confirm(verification_id=vid, code=wrong)
        assert f"còn {left} lần" in exc.value.message
    with pytest.raises(OtpInvalid) as fifth:
        otp_confirm(verification_id=vid, code=wrong)
    assert fifth.value.code == "otp_void"
    with pytest.raises(OtpInvalid) as right_too_late:
        otp_confirm(verification_id=vid, code=code)
    assert right_too_late.value.code == "otp_void"
    assert OneTimeCode.objects.get(pk=vid).used_at is None


def test_codes_expire_after_five_minutes(issue):
    vid = issue()
    code = last_code()
    OneTimeCode.objects.filter(pk=vid).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(OtpInvalid) as exc:
        otp_confirm(verification_id=vid, code=code)
    assert exc.value.code == "otp_expired" and exc.value.status == 422


def test_send_again_only_after_a_minute_and_the_new_code_replaces_the_old(issue, django_capture_on_commit_callbacks):
    vid = issue()
    old = last_code()
    with pytest.raises(RateLimited) as exc:
        otp_resend(verification_id=vid)
    assert 55 <= exc.value.retry_after <= 60 and "giây" in exc.value.message
    OneTimeCode.objects.filter(pk=vid).update(sent_at=timezone.now() - dt.timedelta(seconds=61))
    assert otp_resend_wait(verification_id=vid) == 0
    with django_capture_on_commit_callbacks(execute=True):
        otp_resend(verification_id=vid)
    new = last_code()
    assert SimulatedSms.objects.filter(phone=PHONE).count() == 2
    if new != old:
        with pytest.raises(OtpInvalid):
            otp_confirm(verification_id=vid, code=old)
    assert otp_confirm(verification_id=vid, code=new) == {"x": 1}


def test_hourly_limit_per_phone(issue):
    for i in range(5):
        issue(ip=f"198.51.100.{i}")
    with pytest.raises(RateLimited) as exc:
        issue(ip="198.51.100.99")
    assert exc.value.status == 429 and exc.value.retry_after > 3000
    assert "phút" in exc.value.message
    assert SimulatedSms.objects.filter(phone=PHONE).count() == 5
    issue(phone="0977000222", ip="198.51.100.99")  # another phone is not affected


def test_hourly_limit_per_address(issue, settings):
    for i in range(20):
        issue(phone=f"09770002{i:02d}")
    with pytest.raises(RateLimited):
        issue(phone="0977000399")
    issue(phone="0977000399", ip="192.0.2.1")


def test_a_notice_instead_of_a_code_can_never_be_confirmed(issue):
    vid = issue(notice="So dien thoai nay da co tai khoan.")
    text = SimulatedSms.objects.get(phone=PHONE).text
    assert text == "So dien thoai nay da co tai khoan." and not re.search(r"\d{6}", text)
    row = OneTimeCode.objects.get(pk=vid)
    with pytest.raises(OtpInvalid) as exc:
        otp_confirm(verification_id=vid, code="123456")
    assert exc.value.code == "otp_invalid"
    assert OneTimeCode.objects.get(pk=vid).attempts == row.attempts + 1


@pytest.mark.parametrize("vid", ["", "not-a-uuid", "00000000-0000-0000-0000-000000000000", None])
def test_unknown_verifications_are_refused(vid):
    with pytest.raises(OtpInvalid):
        otp_confirm(verification_id=vid, code="123456")


def test_the_action_runs_with_the_claim_and_a_failure_leaves_the_code_unused(issue):
    vid = issue()
    code = last_code()

    def boom(row):
        OneTimeCode.objects.filter(pk=row.pk).update(phone="0000000000")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        otp_confirm(verification_id=vid, code=code, then=boom)
    row = OneTimeCode.objects.get(pk=vid)
    assert row.used_at is None and row.phone == PHONE
    assert otp_confirm(verification_id=vid, code=code, then=lambda r: r.purpose) == "register"


def test_wrong_purpose_is_unknown(issue):
    vid = issue()
    with pytest.raises(OtpInvalid):
        otp_confirm(verification_id=vid, code=last_code(), purpose="password_reset")
