"""Feedback pages (issue 19): sending from the portal signed in or with a phone code, the officers' worklist
and actions, the sender's rating, the public page of answered items."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.feedback.models import Feedback
from motcua.feedback.services import feedback_submit, feedback_transition
from motcua.notifications.models import SimulatedSms

from .conftest import PDF_BYTES

FORM = {"category": "service", "subject": "Quầy đóng cửa sớm", "text": "Quầy đóng lúc 16:00 thay vì 17:00."}


@pytest.fixture
def ctx(catalog, citizen, office_a, staff):
    return {"citizen": citizen, **staff}


def test_signed_in_citizen_sends_feedback(client, ctx):
    client.force_login(ctx["citizen"])
    page = client.get("/phan-anh/gui")
    assert page.status_code == 200 and 'name="phone"' not in page.content.decode()
    sent = client.post(
        "/phan-anh/gui", {**FORM, "publish_consent": "on", "attachment": SimpleUploadedFile("anh.pdf", PDF_BYTES)}
    )
    assert sent.status_code == 302 and sent["Location"] == "/phan-anh/da-gui"
    fb = Feedback.objects.get(sender=ctx["citizen"])
    assert fb.publish_consent and fb.attachments.count() == 1 and fb.channel == "portal"
    done = client.get("/phan-anh/da-gui").content.decode()
    assert fb.code in done
    detail = client.get(f"/phan-anh/{fb.code}")
    assert detail.status_code == 200 and "Quầy đóng cửa sớm" in detail.content.decode()


def test_errors_keep_values_and_name_the_fields(client, ctx):
    client.force_login(ctx["citizen"])
    page = client.post("/phan-anh/gui", {"subject": "Chỉ có tiêu đề", "dossier_code": "KHONG-CO"})
    html = page.content.decode()
    assert page.status_code == 400 and "<title>Lỗi: " in html
    assert "Chỉ có tiêu đề" in html and "Chọn bạn phản ánh về việc gì" in html
    unknown = client.post("/phan-anh/gui", {**FORM, "dossier_code": "KHONG-CO"})
    assert unknown.status_code == 422 and "dossier_code_error" in unknown.content.decode()


def test_a_visitor_confirms_their_phone_with_a_code(client, ctx, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        step = client.post(
            "/phan-anh/gui",
            {
                **FORM,
                "phone": "0987 654 321",
                "sender_name": "Giàng A Páo",
                "attachment": SimpleUploadedFile("a.pdf", PDF_BYTES),
            },
        )
    assert step.status_code == 302 and step["Location"] == "/phan-anh/xac-nhan"
    assert not Feedback.objects.exists()
    sms = SimulatedSms.objects.filter(phone="0987654321").order_by("-pk").first()
    code = re.search(r"\b(\d{6})\b", sms.text).group(1)
    wrong = client.post("/phan-anh/xac-nhan", {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 422 and not Feedback.objects.exists()
    ok = client.post("/phan-anh/xac-nhan", {"code": code})
    assert ok.status_code == 302
    fb = Feedback.objects.get()
    assert fb.sender is None and fb.phone == "0987654321" and fb.sender_name == "Giàng A Páo"
    assert fb.attachments.count() == 1
    assert fb.code in client.get("/phan-anh/da-gui").content.decode()
    # A visitor cannot open the item's page (it is the sender's account page).
    assert client.get(f"/phan-anh/{fb.code}").status_code == 302


def test_officer_pages_leader_assigns_officer_answers_sender_rates_public_page(client, ctx):
    fb = feedback_submit(
        category="dossier",
        subject="Hồ sơ của Lò Thị Mai trễ hẹn",
        text="Tôi là Lò Thị Mai, điện thoại 0912345001; hồ sơ quá hẹn 3 ngày.",
        sender=ctx["citizen"],
        publish_consent=True,
    )
    client.force_login(ctx["lanhdao"])
    listing = client.get("/can-bo/phan-anh/?xem=unassigned").content.decode()
    assert fb.code in listing
    page = client.get(f"/can-bo/phan-anh/{fb.code}").content.decode()
    assert 'value="assign"' in page and 'value="answer"' not in page
    client.post(f"/can-bo/phan-anh/{fb.code}/thao-tac", {"action": "assign", "version": 1, "assignee": "chuyenvien"})
    assert Feedback.objects.get(pk=fb.pk).assigned_to == ctx["chuyenvien"]
    stale = client.post(
        f"/can-bo/phan-anh/{fb.code}/thao-tac", {"action": "extend", "version": 1, "note": "x"}, follow=True
    )
    assert 'data-error-code="stale_version"' in stale.content.decode()
    client.force_login(ctx["chuyenvien"])
    assert fb.code in client.get("/can-bo/phan-anh/?xem=mine").content.decode()
    client.post(
        f"/can-bo/phan-anh/{fb.code}/thao-tac",
        {"action": "answer", "version": 2, "note": "Đã xin lỗi bà Lò Thị Mai và trả kết quả."},
    )
    assert Feedback.objects.get(pk=fb.pk).status == "answered"
    client.force_login(ctx["citizen"])
    detail = client.get(f"/phan-anh/{fb.code}").content.decode()
    assert "Đã xin lỗi" in detail and 'name="score"' in detail
    client.post(f"/phan-anh/{fb.code}/danh-gia", {"score": "4", "comment": "Được giải quyết"})
    again = client.post(f"/phan-anh/{fb.code}/danh-gia", {"score": "1"}, follow=True)
    assert 'data-error-code="already_rated"' in again.content.decode()
    assert Feedback.objects.get(pk=fb.pk).rating_score == 4
    client.force_login(ctx["lanhdao"])
    client.post(f"/can-bo/phan-anh/{fb.code}/thao-tac", {"action": "publish", "version": 3})
    client.logout()
    public = client.get("/phan-anh/").content.decode()
    assert fb.code in public and "hồ sơ quá hẹn 3 ngày" in public
    assert "Lò Thị Mai" not in public and "0912345001" not in public


def test_strangers_get_404(client, ctx):
    fb = feedback_submit(**FORM, sender=ctx["citizen"])
    client.force_login(ctx["tiepnhan2"])
    assert client.get(f"/can-bo/phan-anh/{fb.code}").status_code == 404
    assert client.post(f"/can-bo/phan-anh/{fb.code}/thao-tac", {"action": "assign", "version": 1}).status_code == 404
    client.force_login(ctx["lanhdao"])
    assert client.get(f"/phan-anh/{fb.code}").status_code == 404  # the sender's page is the sender's
    feedback_transition(code=fb.code, action="refuse", actor=ctx["lanhdao"], version=1, note="Trùng lặp")
    assert fb.code not in client.get("/phan-anh/").content.decode()


def test_citizen_pages_within_budget_and_query_bounded(client, ctx, django_assert_max_num_queries):
    """UI.md budget: ≤ 60 KB per citizen page (HTML as sent, uncompressed here); the public list reads a
    bounded number of rows whatever the number of items."""
    import gzip

    fb = feedback_submit(**FORM, sender=ctx["citizen"], publish_consent=True)
    feedback_transition(
        code=fb.code, action="assign", actor=ctx["lanhdao"], version=1, params={"assignee": "chuyenvien"}
    )
    feedback_transition(code=fb.code, action="answer", actor=ctx["chuyenvien"], version=2, note="Đã xử lý")
    feedback_transition(code=fb.code, action="publish", actor=ctx["lanhdao"], version=3)
    sizes = {}
    for path in ("/phan-anh/gui", "/phan-anh/"):
        response = client.get(path)
        sizes[path] = (len(response.content), len(gzip.compress(response.content)))
    client.force_login(ctx["citizen"])
    for path in ("/phan-anh/gui", f"/phan-anh/{fb.code}", "/phan-anh/cua-toi"):
        response = client.get(path)
        assert response.status_code == 200
        sizes[path + " (signed in)"] = (len(response.content), len(gzip.compress(response.content)))
    for path, (raw, _zipped) in sizes.items():
        assert raw < 60_000, (path, raw)
    print(sizes)
    client.logout()
    with django_assert_max_num_queries(6):
        client.get("/phan-anh/")


def test_the_sender_adds_information_when_asked_and_english_pages_render(client, ctx):
    from django.utils import translation

    fb = feedback_submit(**FORM, sender=ctx["citizen"])
    feedback_transition(code=fb.code, action="request_info", actor=ctx["lanhdao"], version=1, note="Quầy số mấy?")
    client.force_login(ctx["citizen"])
    page = client.get(f"/phan-anh/{fb.code}").content.decode()
    assert 'value="submit_info"' in page
    client.post(f"/phan-anh/{fb.code}/bo-sung", {"action": "submit_info", "version": 2, "note": "Quầy số 3"})
    fb.refresh_from_db()
    assert fb.status == "supplemented" and "Quầy số 3" in fb.text
    client.force_login(ctx["lanhdao"])
    with translation.override("en"):
        client.cookies["django_language"] = "en"
        english = client.get(f"/can-bo/phan-anh/{fb.code}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Information added, waiting to be assigned" in english and "Assign" in english


def test_a_double_click_on_send_makes_one_item(client, ctx):
    """Found trying the page: two quick clicks on «Gửi» when signed in made two items with two codes."""
    client.force_login(ctx["citizen"])
    for _ in range(2):
        sent = client.post("/phan-anh/gui", FORM)
        assert sent.status_code == 302 and sent["Location"] == "/phan-anh/da-gui"
    fb = Feedback.objects.get(sender=ctx["citizen"])
    assert fb.code in client.get("/phan-anh/da-gui").content.decode()
    assert fb.events.filter(action="submit").count() == 1
    # Another text is another item.
    assert client.post("/phan-anh/gui", FORM | {"text": "Lần khác: quầy đóng lúc 15:30."}).status_code == 302
    assert Feedback.objects.filter(sender=ctx["citizen"]).count() == 2


def test_a_second_click_on_confirm_shows_the_item_not_an_error(client, ctx, django_capture_on_commit_callbacks):
    """Found trying the page: two quick clicks on «Xác nhận» made the item, but the browser showed the second
    answer, «Mã xác minh này đã được dùng … Hãy làm lại từ đầu» — and a visitor who starts again sends it twice."""
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/phan-anh/gui", {**FORM, "phone": "0987654321", "sender_name": "Giàng A Páo"})
    pending = dict(client.session["feedback_pending"])
    code = re.search(r"\b(\d{6})\b", SimulatedSms.objects.filter(phone="0987654321").latest("pk").text).group(1)
    assert client.post("/phan-anh/xac-nhan", {"code": code}).status_code == 302
    # The second click was sent with the session as it was before the first answer arrived.
    session = client.session
    session["feedback_pending"] = pending
    session.save()
    again = client.post("/phan-anh/xac-nhan", {"code": code})
    assert again.status_code == 302 and again["Location"] == "/phan-anh/da-gui"
    fb = Feedback.objects.get()
    assert fb.code in client.get("/phan-anh/da-gui").content.decode()
    # A used code for another visitor's text is still refused.
    session = client.session
    session["feedback_pending"] = pending | {"text": "Một nội dung khác hẳn"}
    session.save()
    other = client.post("/phan-anh/xac-nhan", {"code": code})
    assert other.status_code == 422 and "đã được dùng" in other.content.decode()
    assert Feedback.objects.count() == 1


def test_the_senders_page_says_when_it_was_sent_and_when_it_counts_from(client, ctx):
    """Found trying the page: sent at 23:58 on 30/11, the page said «Gửi lúc 07:30 01/12» (the receipt moment)."""
    import datetime as dt

    from django.utils import timezone

    # Sent on a Saturday evening: received at the start of Monday's office hours.
    saturday_night = timezone.now() + dt.timedelta(days=(5 - timezone.localdate().weekday()) % 7 + 7)
    saturday_night = saturday_night.replace(hour=15, minute=0)  # 22:00 in Asia/Ho_Chi_Minh
    fb = feedback_submit(**FORM, sender=ctx["citizen"], now=saturday_night)
    client.force_login(ctx["citizen"])
    page = client.get(f"/phan-anh/{fb.code}").content.decode()
    sent = timezone.localtime(Feedback.objects.get(pk=fb.pk).created_at).strftime("%H:%M %d/%m/%Y")
    assert f"<dt>Gửi lúc</dt><dd>{sent}</dd>" in page
    received = timezone.localtime(fb.received_at)
    assert received.weekday() < 5 and f"{received:%H:%M %d/%m/%Y}" in page and "Tiếp nhận lúc" in page
    assert (
        timezone.localtime(Feedback.objects.get(pk=fb.pk).created_at).strftime("%d/%m/%Y")
        in client.get("/phan-anh/cua-toi").content.decode()
    )


def test_a_visitors_dossier_code_guesses_are_throttled_like_tracking(client, ctx, fee_dossier, settings):
    """Found trying the form: a visitor could ask, unthrottled, whether dossier X was filed with phone Y (the
    dossier_code error came before any SMS) — the question /tra-cuu answers only a few times."""
    settings.THROTTLES = {**settings.THROTTLES, "track": {**settings.THROTTLES["track"], "key_free": 3}}
    form = {**FORM, "category": "dossier", "sender_name": "Khách", "dossier_code": fee_dossier.code}
    for phone in ("0900000001", "0900000002", "0900000003"):
        guess = client.post("/phan-anh/gui", form | {"phone": phone})
        assert guess.status_code == 422 and "dossier_code_error" in guess.content.decode()
    limited = client.post("/phan-anh/gui", form | {"phone": fee_dossier.applicant_phone})
    assert limited.status_code == 429
    # The same counters as tracking: the guesses made here slow /tra-cuu down too.
    assert (
        client.post("/tra-cuu", {"ma": fee_dossier.code, "dien-thoai": fee_dossier.applicant_phone}).status_code == 429
    )
    assert not Feedback.objects.exists()


def test_a_double_click_on_an_officers_action_is_not_a_conflict(client, ctx):
    """Found trying the page: two quick clicks on «Phân công xử lý» assigned once, but the page the browser
    showed said «Phản ánh vừa được người khác cập nhật … tải lại trang và thử lại»."""
    fb = feedback_submit(**FORM, sender=ctx["citizen"])
    client.force_login(ctx["lanhdao"])
    form = {"action": "assign", "version": fb.version, "assignee": "chuyenvien"}
    first = client.post(f"/can-bo/phan-anh/{fb.code}/thao-tac", form, follow=True).content.decode()
    second = client.post(f"/can-bo/phan-anh/{fb.code}/thao-tac", form, follow=True).content.decode()
    assert f"Đã cập nhật phản ánh {fb.code}" in first and f"Đã cập nhật phản ánh {fb.code}" in second
    assert "stale_version" not in second
    assert fb.events.filter(action="assign").count() == 1
    # Another officer's (or another action's) stale page is still a conflict.
    client.force_login(ctx["tiepnhan"])
    other = client.post(
        f"/can-bo/phan-anh/{fb.code}/thao-tac",
        {"action": "request_info", "version": fb.version, "note": "Bổ sung"},
        follow=True,
    )
    assert 'data-error-code="stale_version"' in other.content.decode()
