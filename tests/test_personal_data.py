"""Personal-data rights and the demo inbox (issue 16, points 7 and 8)."""

import json

import pytest

from motcua.accounts.models import ApiToken, CitizenProfile, Consent, DossierAccess, User
from motcua.dossiers.services import dossier_submit
from motcua.notifications.models import SimulatedSms

from .conftest import BIRTH_FORM, PASSWORD, documents_for


@pytest.fixture
def submitted(catalog, citizen, office_a, staff):
    dossier, _created = dossier_submit(
        citizen=citizen,
        procedure_code="1.001193",
        form=BIRTH_FORM,
        attachment_ids=documents_for(citizen),
        idempotency_key="pd-1",
    )
    return dossier


def _api_token(client, username, password=PASSWORD):
    answer = client.post(
        "/api/v1/auth/login", json.dumps({"username": username, "password": password}), content_type="application/json"
    )
    return answer.json()["token"]


def test_every_officer_read_is_logged_and_shown_to_the_citizen(client, submitted, citizen, staff):
    client.force_login(staff["tiepnhan"])
    assert client.get(f"/can-bo/ho-so/{submitted.code}").status_code == 200
    token = _api_token(client, "tiepnhan")
    assert client.get(f"/api/v1/dossiers/{submitted.code}", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    reads = list(DossierAccess.objects.filter(citizen=citizen).order_by("created_at"))
    assert [(r.officer.username, r.dossier_code) for r in reads] == [("tiepnhan", submitted.code)] * 2
    assert [r.what for r in reads] == ["Xem hồ sơ", "Xem hồ sơ qua API"]
    # An officer of another commune sees nothing, and nothing is logged.
    client.force_login(staff["tiepnhan2"])
    assert client.get(f"/can-bo/ho-so/{submitted.code}").status_code == 404
    assert DossierAccess.objects.count() == 2
    # The citizen's own reads are not logged; the page lists the officer's.
    client.force_login(citizen)
    assert client.get(f"/ho-so/{submitted.code}").status_code == 200
    page = client.get("/tai-khoan/du-lieu-ca-nhan").content.decode()
    assert DossierAccess.objects.count() == 2
    assert page.count(submitted.code) == 2 and "Xem hồ sơ qua API" in page
    assert "Công chức tiếp nhận" in page


def test_officer_file_downloads_are_logged(client, submitted, staff):
    from django.urls import reverse

    attachment = submitted.attachments.first()
    client.force_login(staff["tiepnhan"])
    url = reverse("portal:attachment", args=[attachment.pk])
    assert client.get(url).status_code == 200
    access = DossierAccess.objects.get()
    assert access.officer == staff["tiepnhan"] and attachment.original_name in access.what


def test_the_citizen_downloads_their_data_as_json_and_pdf(client, submitted, citizen, staff):
    client.force_login(staff["tiepnhan"])
    client.get(f"/can-bo/ho-so/{submitted.code}")
    client.force_login(citizen)
    answer = client.get("/tai-khoan/du-lieu-ca-nhan.json")
    assert answer.status_code == 200 and "attachment" in answer["Content-Disposition"]
    data = json.loads(answer.content)
    assert data["profile"]["citizen_id"] == "010190012345"
    assert data["profile"]["birth_date"] == "1990-03-12"
    assert [d["code"] for d in data["dossiers"]] == [submitted.code]
    assert data["dossiers"][0]["form"]["ho_ten_tre"] == "Hoàng Thị Lan"
    assert data["officer_reads"][0]["dossier"] == submitted.code
    pdf = client.get("/tai-khoan/du-lieu-ca-nhan.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    import io

    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Lò Thị Mai" in text and submitted.code in text and "010190012345" in text
    assert "Giấy tờ trong kho dữ liệu của bạn" in text and "Phản ánh, kiến nghị đã gửi" in text


def test_closing_the_account_anonymises_it_and_keeps_the_dossiers(client, submitted, citizen):
    Consent.objects.create(user=citizen, version="2026-11-30", source="signup")
    token = _api_token(client, "congdan1")
    client.force_login(citizen)
    wrong = client.post("/tai-khoan/dong-tai-khoan", {"password": "sai-mat-khau"})
    assert wrong.status_code == 422 and User.objects.get(pk=citizen.pk).is_active
    page = client.get("/tai-khoan/dong-tai-khoan").content.decode()
    assert "lưu trữ" in page
    done = client.post("/tai-khoan/dong-tai-khoan", {"password": PASSWORD})
    assert done.status_code == 302
    user = User.objects.get(pk=citizen.pk)
    assert not user.is_active and user.phone is None and user.full_name == "Tài khoản đã đóng"
    assert not user.has_usable_password() and user.username.startswith("da-dong-")
    assert not CitizenProfile.objects.filter(citizen_id="010190012345").exists()
    assert not ApiToken.objects.filter(user=user).exists()
    assert client.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert Consent.objects.get(user=user).withdrawn_at is not None
    submitted.refresh_from_db()  # the dossier stays, with the applicant details written on it
    assert submitted.applicant_name == "Lò Thị Mai" and submitted.citizen_id == user.pk
    assert client.get("/tai-khoan").status_code == 302  # logged out
    # The same person can sign up again with their citizen ID.
    assert not User.objects.filter(phone="0912345001").exists()


def test_a_second_click_on_close_ends_like_the_first(submitted, citizen):
    """Two clicks of «Đóng tài khoản»: the second request still carries the account as it was (its session was
    loaded before the first committed); it must end the same way, not with a 500 or a wrong-password page."""
    from motcua.accounts.privacy import account_close

    stale = User.objects.get(pk=citizen.pk)
    account_close(user=citizen, password=PASSWORD)
    closed = User.objects.get(pk=citizen.pk)
    account_close(user=stale, password=PASSWORD)  # no error
    assert User.objects.get(pk=citizen.pk).username == closed.username


# --- demo inbox ------------------------------------------------------------------------------------------------
def test_demo_inbox_is_404_outside_demo_mode(client, db, settings):
    settings.DEMO = False
    SimulatedSms.objects.create(phone="0912345001", text="Ma 123456")
    assert client.get("/gia-lap/hop-thu").status_code == 404
    api = client.get("/api/v1/demo/messages?to=0912345001")
    assert api.status_code == 404 and api.json()["code"] == "not_found"


def test_demo_inbox_lists_newest_first_by_recipient(client, db, settings):
    settings.DEMO = True
    SimulatedSms.objects.create(phone="0912345001", text="Ma dang ky: 111111")
    SimulatedSms.objects.create(phone="0912345001", text="Ma dang ky: 222222")
    SimulatedSms.objects.create(phone="0988000111", text="Khac")
    answer = client.get("/api/v1/demo/messages", {"to": "0912 345 001"})
    assert answer.status_code == 200
    items = answer.json()
    assert [m["text"] for m in items] == ["Ma dang ky: 222222", "Ma dang ky: 111111"]
    assert set(items[0]) == {"channel", "to", "text", "created_at"}
    assert items[0]["channel"] == "sms" and items[0]["to"] == "0912345001"
    assert items[0]["created_at"].endswith("+07:00")
    page = client.get("/gia-lap/hop-thu", {"to": "0912345001"}).content.decode()
    assert page.index("222222") < page.index("111111") and "Khac" not in page


def test_officers_cannot_close_their_account_here(client, staff):
    client.force_login(staff["tiepnhan"])
    assert client.get("/tai-khoan/dong-tai-khoan").status_code == 404
    assert client.post("/tai-khoan/dong-tai-khoan", {"password": PASSWORD}).status_code == 404
    assert User.objects.get(username="tiepnhan").is_active


def test_officer_result_download_and_preview_are_logged(client, catalog, citizen, office_a, staff):
    from .factories import DossierFactory

    signed = DossierFactory(signed=True, citizen=citizen, procedure_code="1.001193")
    result = signed.results.get()
    client.force_login(staff["tiepnhan"])
    assert client.get(f"/ho-so/{signed.code}/ket-qua/{result.public_code}.pdf").status_code == 200
    client.force_login(citizen)  # the citizen's own download is not an officer read
    assert client.get(f"/ho-so/{signed.code}/ket-qua/{result.public_code}.pdf").status_code == 200
    assert list(DossierAccess.objects.filter(dossier_code=signed.code).values_list("officer__username", "what")) == [
        ("tiepnhan", "Tải kết quả đã ký")
    ]

    approved = DossierFactory(approved=True, citizen=citizen, procedure_code="1.001193")
    client.force_login(staff["lanhdao"])
    from django.urls import reverse

    preview = client.get(reverse("documents:result_preview", args=[approved.code]))
    assert preview.status_code == 200 and preview.content.startswith(b"%PDF")
    assert DossierAccess.objects.filter(
        dossier_code=approved.code, officer=staff["lanhdao"], what="Xem trước kết quả"
    ).exists()
