"""The dossier engine end to end through the services: submission, the five steps, supplements,
extensions, refusals, the event log, notifications."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.calendars.engine import VN_TZ
from motcua.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from motcua.dossiers.models import Dossier, DossierCounter, DossierEvent
from motcua.dossiers.services import (
    attachment_upload,
    dossier_rate,
    dossier_submit,
    dossier_transition,
    event_chain_valid,
)
from motcua.notifications.models import InAppMessage, OutboxMessage, SimulatedSms

from .conftest import BIRTH_FORM, PDF_BYTES, documents_for
from .factories import DossierFactory


def at(text):
    return dt.datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


@pytest.fixture
def submitted(catalog, citizen, office_a, staff):
    """A marital status certificate (1.004873, 3 working days) filed Monday 9/3/2026 at 10:00."""
    return DossierFactory(citizen=citizen, procedure_code="1.004873", idempotency_key="k1", now=at("2026-03-09T10:00"))


def step(dossier, action, actor, now, **params):
    note = params.pop("note", "")
    fresh = Dossier.objects.get(pk=dossier.pk)
    return dossier_transition(
        code=fresh.code, action=action, actor=actor, version=fresh.version, note=note, params=params, now=at(now)
    )


def test_submission_gets_a_code_a_due_moment_and_a_receipt_event(submitted, office_a):
    assert submitted.code == "H15.02839-260309-0001"
    assert submitted.status == "submitted" and submitted.version == 1
    # Marital status certificate: 3 working days after Monday 9/3 → Thursday 12/3 17:00.
    assert submitted.due_at == at("2026-03-12T17:00")
    assert submitted.fee_amount == 10000
    event = submitted.events.get()
    assert event.action == "submit" and event.to_status == "submitted"


def test_the_five_steps(submitted, citizen, staff):
    d = step(submitted, "accept", staff["tiepnhan"], "2026-03-09T11:00")
    assert d.status == "received"
    d = step(d, "assign", staff["tiepnhan"], "2026-03-09T11:05", assignee="chuyenvien")
    assert d.status == "appraising" and d.assigned_to == staff["chuyenvien"]
    d = step(d, "appraise", staff["chuyenvien"], "2026-03-10T09:00", note="Đủ điều kiện cấp")
    d = step(d, "approve", staff["lanhdao"], "2026-03-10T14:00")
    d = step(d, "sign", staff["lanhdao"], "2026-03-10T14:05", confirm=True)
    d = step(d, "return_result", staff["tiepnhan"], "2026-03-11T08:00", method="online")
    assert d.status == "returned" and not d.is_open and d.timeliness == "early" and d.outcome == "completed"
    assert list(d.events.values_list("action", flat=True)) == [
        "submit",
        "accept",
        "assign",
        "appraise",
        "approve",
        "sign",
        "return_result",
    ]
    assert event_chain_valid(d)
    rating = dossier_rate(citizen=citizen, code=d.code, score=5, comment="Nhanh")
    assert rating.score == 5
    with pytest.raises(Conflict):
        dossier_rate(citizen=citizen, code=d.code, score=4)


def test_finishing_late_is_classified_late(submitted, staff):
    d = step(submitted, "accept", staff["tiepnhan"], "2026-03-09T11:00")
    d = step(d, "assign", staff["tiepnhan"], "2026-03-09T11:05", assignee="chuyenvien")
    d = step(d, "appraise", staff["chuyenvien"], "2026-03-10T09:00", note="ok")
    d = step(d, "approve", staff["lanhdao"], "2026-03-10T14:00")
    d = step(d, "sign", staff["lanhdao"], "2026-03-10T14:05", confirm=True)
    d = step(d, "return_result", staff["tiepnhan"], "2026-03-13T08:00", method="counter")
    assert d.timeliness == "late"


def test_supplement_pauses_once_and_restarts_the_clock(submitted, citizen, staff):
    d = step(submitted, "request_supplement", staff["tiepnhan"], "2026-03-09T14:00", note="Thiếu bản sao giấy ly hôn")
    assert d.status == "supplement_requested" and d.paused_at is not None and d.supplement_count == 1
    d = step(d, "submit_supplement", citizen, "2026-03-16T09:00", note="Đã nộp bản sao quyết định ly hôn tại quầy")
    # The clock restarts from zero: 3 working days from Monday 16/3.
    assert d.status == "submitted" and d.paused_at is None and d.due_at == at("2026-03-19T17:00")
    d = step(d, "accept", staff["tiepnhan"], "2026-03-16T10:00")
    with pytest.raises(NotAllowed) as exc:
        step(d, "request_supplement", staff["tiepnhan"], "2026-03-16T11:00", note="Thiếu nữa")
    assert exc.value.code == "only_once"
    assert Dossier.objects.get(pk=d.pk).supplement_count == 1


def test_extension_once_and_in_time(submitted, staff):
    d = step(submitted, "accept", staff["tiepnhan"], "2026-03-09T11:00")
    d = step(d, "extend", staff["tiepnhan"], "2026-03-10T09:00", note="Chờ xác minh", new_due="17/03/2026")
    assert d.due_at == at("2026-03-17T17:00") and d.extension_count == 1 and d.status == "received"
    with pytest.raises(NotAllowed) as exc:
        step(d, "extend", staff["tiepnhan"], "2026-03-11T09:00", note="Lần hai", new_due="20/03/2026")
    assert exc.value.code == "only_once"


def test_extension_too_late_is_refused(submitted, staff):
    d = step(submitted, "accept", staff["tiepnhan"], "2026-03-09T11:00")
    with pytest.raises(ValidationFailed) as exc:
        step(d, "extend", staff["tiepnhan"], "2026-03-12T09:00", note="Muộn", new_due="17/03/2026")
    assert exc.value.code == "too_late" and "new_due" in exc.value.fields
    assert Dossier.objects.get(pk=d.pk).extension_count == 0


def test_refusal_needs_reasons(submitted, staff):
    with pytest.raises(ValidationFailed) as exc:
        step(submitted, "refuse", staff["tiepnhan"], "2026-03-09T11:00")
    assert exc.value.code == "note_required"
    d = step(submitted, "refuse", staff["tiepnhan"], "2026-03-09T11:00", note="Không thuộc thẩm quyền")
    assert d.status == "refused" and not d.is_open and d.outcome == "refused"


def test_citizen_withdraws(submitted, citizen):
    d = step(submitted, "withdraw", citizen, "2026-03-09T12:00")
    assert d.status == "withdrawn" and not d.is_open


def test_specialist_cannot_approve_and_only_the_assignee_appraises(submitted, staff, make_officer, commune_a):
    d = step(submitted, "accept", staff["tiepnhan"], "2026-03-09T11:00")
    d = step(d, "assign", staff["tiepnhan"], "2026-03-09T11:05", assignee="chuyenvien")
    other = make_officer("chuyenvien2", "specialist", commune_a)
    with pytest.raises(NotAllowed) as exc:
        step(d, "appraise", other, "2026-03-10T09:00", note="x")
    assert exc.value.code == "not_assignee"
    d = step(d, "appraise", staff["chuyenvien"], "2026-03-10T09:00", note="ok")
    with pytest.raises(NotAllowed) as exc:
        step(d, "approve", staff["chuyenvien"], "2026-03-10T10:00")
    assert exc.value.code == "role_not_allowed"


def test_officer_of_another_commune_gets_not_found(submitted, staff):
    with pytest.raises(NotFound):
        step(submitted, "accept", staff["tiepnhan2"], "2026-03-09T11:00")


def test_stale_version_is_a_conflict(submitted, staff):
    with pytest.raises(Conflict):
        dossier_transition(code=submitted.code, action="accept", actor=staff["tiepnhan"], version=99)


@pytest.mark.parametrize("version", [0, -1, None, "abc", True])
def test_missing_or_garbage_version_says_reload_not_someone_else(submitted, staff, version):
    with pytest.raises(ValidationFailed) as exc:
        dossier_transition(code=submitted.code, action="accept", actor=staff["tiepnhan"], version=version)
    assert exc.value.code == "invalid_version" and "version" in exc.value.fields
    assert "tải lại trang" in exc.value.message and "người khác" not in exc.value.message
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_officer_page_without_version_says_reload(client, submitted, staff):
    from django.urls import reverse

    client.force_login(staff["tiepnhan"])
    url = reverse("workspace:act", args=[submitted.code])
    response = client.post(url, {"action": "accept", "version": "x"}, follow=True)
    page = response.content.decode()
    assert "tải lại trang" in page and "vừa được người khác cập nhật" not in page


def test_timeline_label_has_no_space_before_colon(client, submitted, staff, citizen):
    d = step(submitted, "request_supplement", staff["tiepnhan"], "2026-03-09T11:00", note="Thiếu giấy chứng sinh")
    client.force_login(citizen)
    page = client.get(reverse_dossier(d)).content.decode()
    assert "Yêu cầu bổ sung hồ sơ: Thiếu giấy chứng sinh" in page
    assert "hồ sơ :" not in page and "hồ sơ\n:" not in page


def reverse_dossier(d):
    from django.urls import reverse

    return reverse("portal:dossier", args=[d.code])


def test_assign_needs_a_specialist_of_the_unit(submitted, staff):
    d = step(submitted, "accept", staff["tiepnhan"], "2026-03-09T11:00")
    with pytest.raises(ValidationFailed) as exc:
        step(d, "assign", staff["tiepnhan"], "2026-03-09T11:05", assignee="tiepnhan2")
    assert exc.value.code == "not_a_specialist"


def test_nothing_half_written_when_a_transition_fails_midway(submitted, staff, monkeypatch):
    from motcua.dossiers.services import transition as services

    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "event_append", boom)
    with pytest.raises(RuntimeError):
        step(submitted, "accept", staff["tiepnhan"], "2026-03-09T11:00")
    fresh = Dossier.objects.get(pk=submitted.pk)
    assert fresh.status == "submitted" and fresh.version == 1
    assert DossierEvent.objects.filter(dossier=fresh).count() == 1


def test_idempotency_key_returns_the_same_dossier(submitted, citizen):
    again, created = dossier_submit(
        citizen=citizen,
        procedure_code="1.004873",
        form={"muc_dich": "Để đăng ký kết hôn", "tinh_trang": "Chưa kết hôn"},
        idempotency_key="k1",
    )
    assert not created and again.pk == submitted.pk
    with pytest.raises(ValidationFailed) as exc:  # the same key with another body is not a retry
        dossier_submit(
            citizen=citizen,
            procedure_code="1.004873",
            form={"muc_dich": "khác", "tinh_trang": "Chưa kết hôn"},
            idempotency_key="k1",
        )
    assert exc.value.code == "idempotency_key_reused"
    assert Dossier.objects.count() == 1
    assert DossierCounter.objects.get().last == 1


def test_invalid_form_is_refused_with_field_messages(catalog, citizen, office_a):
    with pytest.raises(ValidationFailed) as exc:
        dossier_submit(citizen=citizen, procedure_code="1.001193", form={"ho_ten_tre": "A", "so_dinh_danh_me": "12ab"})
    fields = exc.value.fields
    assert "Nhập ngày sinh của trẻ" in fields["ngay_sinh"]
    assert "Số định danh cá nhân của mẹ phải gồm đúng 12 chữ số" in fields["so_dinh_danh_me"]
    assert "ho_ten_tre" in fields
    assert Dossier.objects.count() == 0 and DossierCounter.objects.count() == 0


def test_counter_only_procedure_refuses_online(catalog, citizen, office_a):
    with pytest.raises(NotAllowed) as exc:
        dossier_submit(citizen=citizen, procedure_code="2.000884", form={"noi_dung": "Chứng thực chữ ký giấy ủy quyền"})
    assert exc.value.code == "online_not_offered"


def test_notifications_are_queued_and_delivered(catalog, citizen, office_a, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier, _ = dossier_submit(
            citizen=citizen,
            procedure_code="1.001193",
            form=BIRTH_FORM,
            attachment_ids=documents_for(citizen),
            idempotency_key="n1",
        )
    event = dossier.events.get()
    channels = set(OutboxMessage.objects.filter(source=f"dossier-event:{event.pk}").values_list("channel", "status"))
    assert channels == {("sms", "sent"), ("inapp", "sent")}
    sms = SimulatedSms.objects.get()
    assert sms.phone == "0912345001" and dossier.code in sms.text
    # The citizen has an account: the link opens their dossier page.
    assert f"/ho-so/{dossier.code}" in sms.text
    # The same notice waits in the citizen's inbox, linked to the dossier page.
    inbox = InAppMessage.objects.get()
    assert inbox.user == citizen and inbox.url == f"/ho-so/{dossier.code}" and inbox.read_at is None
    with django_capture_on_commit_callbacks(execute=True):
        step(dossier, "request_supplement", staff["tiepnhan"], "2026-03-09T11:00", note="Thiếu giấy chứng sinh")
    assert "Thiếu giấy chứng sinh" in SimulatedSms.objects.order_by("-id").first().text


def test_attachments_are_checked_by_content(catalog, citizen):
    ok = attachment_upload(owner=citizen, upload=SimpleUploadedFile("scan.pdf", PDF_BYTES))
    assert ok.content_type == "application/pdf" and len(ok.sha256) == 64
    assert ok.file.name.startswith("attachments/") and "scan" not in ok.file.name
    from motcua.dossiers.uploads import UnsupportedType, UploadTooLarge

    with pytest.raises(UnsupportedType):
        attachment_upload(owner=citizen, upload=SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 this is an exe"))
    big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * (10 * 1024 * 1024))
    with pytest.raises(UploadTooLarge):
        attachment_upload(owner=citizen, upload=big)


def test_dossier_total_size_limit(catalog, citizen, office_a, settings):
    settings.DOSSIER_UPLOAD_MAX_BYTES = 100
    a = attachment_upload(owner=citizen, upload=SimpleUploadedFile("a.pdf", PDF_BYTES + b"x" * 60))
    b = attachment_upload(owner=citizen, upload=SimpleUploadedFile("b.pdf", PDF_BYTES + b"x" * 60))
    from motcua.dossiers.uploads import UploadTooLarge

    with pytest.raises(UploadTooLarge):
        dossier_submit(citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM, attachment_ids=[a.pk, b.pk])
    assert Dossier.objects.count() == 0


def test_each_step_has_its_share_of_the_time(submitted, staff):
    from motcua.dossiers.selectors import handovers

    d = step(submitted, "accept", staff["tiepnhan"], "2026-03-09T11:00")
    d = step(d, "assign", staff["tiepnhan"], "2026-03-09T11:05", assignee="chuyenvien")
    d = step(d, "appraise", staff["chuyenvien"], "2026-03-12T09:00", note="Muộn")
    rows = {h.step: h for h in handovers(d)}
    assert list(rows) == ["receive", "appraise", "approve", "sign", "return"]
    # Receive (10 % of 3 working days) was done within the hour; appraisal's share ended on Wednesday.
    assert rows["receive"].timeliness in ("early", "on_time")
    assert rows["appraise"].due_at < at("2026-03-12T09:00") and rows["appraise"].timeliness == "late"
    assert rows["return"].due_at == d.due_at and rows["return"].done_at is None
    from motcua.documents.forms import form_facts
    from motcua.documents.pdf import render_form

    facts = form_facts("kiem-soat", d, d.events.order_by("seq").last())
    assert [s["label"] for s in facts["steps"]][:2] == ["Tiếp nhận", "Thẩm định"]
    assert render_form(facts).startswith(b"%PDF")


def test_supplement_request_only_within_three_working_days_of_receipt(submitted, staff):
    # Received Monday 9/3 10:00: the request may go out until Thursday 12/3 17:00 (DOMAIN.md §4.3).
    d = step(submitted, "accept", staff["tiepnhan"], "2026-03-09T11:00")
    with pytest.raises(NotAllowed) as exc:
        step(d, "request_supplement", staff["tiepnhan"], "2026-03-13T09:00", note="Thiếu giấy tờ")
    assert exc.value.code == "too_late" and "12/03/2026" in exc.value.message  # the last moment it names
    d = step(d, "request_supplement", staff["tiepnhan"], "2026-03-12T16:00", note="Thiếu giấy tờ")
    assert d.status == "supplement_requested"
