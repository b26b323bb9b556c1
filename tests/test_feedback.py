"""Feedback and petitions (PAKN, issue 19): deadlines in working days from the calendar (Tết included),
the workflow on the dossier engine, escalation once, the sender's rating once, the API's doors."""

import datetime as dt
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from motcua.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from motcua.feedback.models import Feedback, FeedbackEvent
from motcua.feedback.services import (
    anonymise,
    feedback_escalate_overdue,
    feedback_rate,
    feedback_submit,
    feedback_transition,
)
from motcua.feedback.workflow import feedback_workflow
from motcua.notifications.models import InAppMessage

from .conftest import PDF_BYTES

TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def at(y, m, d, h=9, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


@pytest.fixture
def fb_ctx(catalog, citizen, office_a, staff):
    return {"citizen": citizen, **staff}


def submit(citizen, now=None, **extra):
    values = {
        "category": "service",
        "subject": "Chờ lâu ở Bộ phận Một cửa",
        "text": "Tôi chờ hai tiếng mới được tiếp nhận hồ sơ.",
        "sender": citizen,
        "now": now,
    }
    values.update(extra)
    return feedback_submit(**values)


def act(fb, action, actor, now=None, **params):
    note = params.pop("note", "")
    fresh = Feedback.objects.get(pk=fb.pk)
    return feedback_transition(
        code=fb.code, action=action, actor=actor, version=fresh.version, note=note, params=params, now=now
    )


def test_submission_gets_a_code_and_a_due_date_15_working_days_later(fb_ctx):
    # Monday 30/11/2026 09:00: the 15th working day after is Monday 21/12/2026 (no holidays in between).
    fb = submit(fb_ctx["citizen"], now=at(2026, 11, 30))
    assert fb.code.startswith("PA-261130-")
    assert fb.status == "received" and fb.workflow == "feedback@1"
    assert fb.received_at == at(2026, 11, 30)
    assert fb.due_at.astimezone(TZ) == at(2026, 12, 21, 17, 0)
    assert fb.unit.code == "02839" and fb.phone == "0912345001"
    assert list(FeedbackEvent.objects.filter(feedback=fb).values_list("action", flat=True)) == ["submit"]
    assert InAppMessage.objects.filter(user=fb_ctx["citizen"], title__contains=fb.code).exists()


def test_deadlines_skip_tet(fb_ctx):
    """Tết 2026: days off Mon 16/2 – Fri 20/2 (DOMAIN.md §6). Received Thursday 12/2/2026."""
    leader, officer = fb_ctx["lanhdao"], fb_ctx["chuyenvien"]
    fb = submit(fb_ctx["citizen"], now=at(2026, 2, 12))
    # 15 working days after Thu 12/2: Fri 13/2 (1), then 23/2 – 27/2 (2–6), 2/3 – 6/3 (7–11), 9/3 – 12/3 (12–15).
    assert fb.due_at.astimezone(TZ) == at(2026, 3, 12, 17, 0)
    # Refusal within 2 working days: Fri 13/2 and Mon 23/2 (not Mon 16/2, which is Tết).
    fb_late = submit(fb_ctx["citizen"], now=at(2026, 2, 12))
    act(fb_late, "refuse", leader, now=at(2026, 2, 23, 16, 59), note="Nội dung không thuộc thẩm quyền")
    fb_later = submit(fb_ctx["citizen"], now=at(2026, 2, 12))
    with pytest.raises(NotAllowed) as refused:
        act(fb_later, "refuse", leader, now=at(2026, 2, 24, 8, 0), note="Quá hạn từ chối")
    assert refused.value.code == "too_late"
    # A request for more information within 5 working days: 13/2, 23/2 – 26/2, so until Thu 26/2 17:00.
    with pytest.raises(NotAllowed) as too_late:
        act(fb, "request_info", leader, now=at(2026, 2, 27, 8, 0), note="Cho biết ngày giờ")
    assert too_late.value.code == "too_late" and "26/02/2026" in str(too_late.value)
    fb2 = submit(fb_ctx["citizen"], now=at(2026, 2, 12))
    act(fb2, "request_info", leader, now=at(2026, 2, 26, 16, 0), note="Cho biết ngày giờ")
    # Extension once: 10 more working days after the due day (12/3 → 26/3); a second one is refused.
    fb = act(fb, "extend", leader, now=at(2026, 3, 2), note="Cần xác minh với cơ quan khác")
    assert fb.due_at.astimezone(TZ) == at(2026, 3, 26, 17, 0)
    with pytest.raises(NotAllowed) as again:
        act(fb, "extend", leader, now=at(2026, 3, 3), note="Lần nữa")
    assert again.value.code == "only_once"
    # Publication within 2 working days of the answer: answered Fri 13/2 → due Tue 24/2 17:00.
    fb3 = submit(fb_ctx["citizen"], now=at(2026, 2, 12))
    act(fb3, "assign", leader, now=at(2026, 2, 12, 10), assignee=officer.username)
    fb3 = act(fb3, "answer", officer, now=at(2026, 2, 13, 10), note="Đã chấn chỉnh cán bộ tiếp nhận")
    assert fb3.publish_due_at.astimezone(TZ) == at(2026, 2, 24, 17, 0)
    assert fb3.status == "answered"


def test_info_request_pauses_and_the_additions_restart_the_clock(fb_ctx):
    fb = submit(fb_ctx["citizen"], now=at(2026, 11, 30))
    fb = act(fb, "request_info", fb_ctx["tiepnhan"], now=at(2026, 12, 1), note="Cho biết tên quầy")
    assert fb.status == "info_requested" and fb.paused_at is not None
    with pytest.raises(NotAllowed):  # once
        act(fb, "request_info", fb_ctx["lanhdao"], now=at(2026, 12, 1, 10), note="Lần hai")
    fb = act(fb, "submit_info", fb_ctx["citizen"], now=at(2026, 12, 3, 10), note="Quầy số 2")
    assert fb.status == "supplemented" and fb.paused_at is None
    # 15 working days from Thursday 3/12/2026: Thursday 24/12/2026.
    assert fb.due_at.astimezone(TZ) == at(2026, 12, 24, 17, 0)
    assert "Quầy số 2" in fb.text


def test_roles_assignment_and_answer_by_the_assignee_only(fb_ctx):
    fb = submit(fb_ctx["citizen"], now=at(2026, 11, 30))
    with pytest.raises(NotAllowed) as not_leader:
        act(fb, "assign", fb_ctx["tiepnhan"], assignee="chuyenvien")
    assert not_leader.value.code == "role_not_allowed"
    with pytest.raises(ValidationFailed):
        act(fb, "assign", fb_ctx["lanhdao"], assignee="tiepnhan2")  # another commune's officer
    fb = act(fb, "assign", fb_ctx["lanhdao"], assignee="chuyenvien")
    assert fb.assigned_to == fb_ctx["chuyenvien"] and fb.status == "handling"
    with pytest.raises(NotAllowed) as not_assignee:
        act(fb, "answer", fb_ctx["tiepnhan"], note="Trả lời")
    assert not_assignee.value.code == "not_assignee"
    with pytest.raises(ValidationFailed):
        act(fb, "answer", fb_ctx["chuyenvien"], note="")
    fb = act(fb, "answer", fb_ctx["chuyenvien"], note="Đã chấn chỉnh")
    assert fb.answer == "Đã chấn chỉnh" and fb.answered_at
    # The sender did not agree to publication: "publish" is refused, "close" ends it.
    with pytest.raises(NotAllowed) as no_consent:
        act(fb, "publish", fb_ctx["lanhdao"])
    assert no_consent.value.code == "no_publish_consent"
    fb = act(fb, "close", fb_ctx["lanhdao"])
    assert fb.status == "closed" and not fb.is_open and fb.outcome == "completed"


def test_stale_version_conflicts(fb_ctx):
    fb = submit(fb_ctx["citizen"])
    feedback_transition(
        code=fb.code, action="assign", actor=fb_ctx["lanhdao"], version=1, params={"assignee": "chuyenvien"}
    )
    with pytest.raises(Conflict) as stale:
        feedback_transition(code=fb.code, action="extend", actor=fb_ctx["lanhdao"], version=1, note="x")
    assert stale.value.code == "stale_version"


def test_strangers_see_nothing(fb_ctx, village_a):
    from motcua.accounts.services import citizen_create

    from .conftest import PASSWORD

    other = citizen_create(
        username="khac",
        full_name="Vàng A Sử",
        citizen_id="010085054321",
        birth_date=dt.date(1985, 1, 2),
        gender="male",
        phone="0912345002",
        password=PASSWORD,
        address_unit=village_a,
    )
    fb = submit(fb_ctx["citizen"])
    assert set(Feedback.objects.visible_to(fb_ctx["citizen"])) == {fb}
    assert set(Feedback.objects.visible_to(fb_ctx["lanhdao"])) == {fb}
    assert not Feedback.objects.visible_to(other).exists()
    assert not Feedback.objects.visible_to(fb_ctx["tiepnhan2"]).exists()
    with pytest.raises(NotFound):
        feedback_transition(
            code=fb.code, action="assign", actor=fb_ctx["tiepnhan2"], version=1, params={"assignee": "chuyenvien"}
        )


def test_escalation_happens_once_even_when_the_job_runs_twice(fb_ctx):
    fb = submit(fb_ctx["citizen"], now=at(2026, 11, 30))
    on_time = submit(fb_ctx["citizen"], now=at(2026, 12, 10))
    before_due = at(2026, 12, 21, 16, 0)
    assert feedback_escalate_overdue(now=before_due) == 0
    after_due = at(2026, 12, 22, 8, 0)
    assert feedback_escalate_overdue(now=after_due) == 1
    assert feedback_escalate_overdue(now=after_due + dt.timedelta(hours=1)) == 0
    assert feedback_escalate_overdue(now=after_due + dt.timedelta(days=3)) == 0
    assert FeedbackEvent.objects.filter(feedback=fb, action="escalate").count() == 1
    assert InAppMessage.objects.filter(user=fb_ctx["lanhdao"], title__contains=fb.code).count() == 1
    assert not FeedbackEvent.objects.filter(feedback=on_time, action="escalate").exists()
    # Answered late: the publication deadline is watched next, once more.
    act(fb, "assign", fb_ctx["lanhdao"], now=after_due, assignee="chuyenvien")
    act(fb, "answer", fb_ctx["chuyenvien"], now=after_due + dt.timedelta(hours=1), note="Đã xử lý")
    # Answered Tue 22/12 09:00: publication due Thu 24/12 17:00.
    assert feedback_escalate_overdue(now=at(2026, 12, 24, 16)) == 0
    assert feedback_escalate_overdue(now=at(2026, 12, 25, 8)) == 1
    assert feedback_escalate_overdue(now=at(2026, 12, 25, 9)) == 0


def test_rating_once_after_the_answer(fb_ctx):
    fb = submit(fb_ctx["citizen"], publish_consent=True)
    with pytest.raises(NotAllowed) as early:
        feedback_rate(code=fb.code, user=fb_ctx["citizen"], score=5)
    assert early.value.code == "not_answered"
    act(fb, "assign", fb_ctx["lanhdao"], assignee="chuyenvien")
    act(fb, "answer", fb_ctx["chuyenvien"], note="Đã xử lý")
    with pytest.raises(NotFound):
        feedback_rate(code=fb.code, user=fb_ctx["lanhdao"], score=5)
    with pytest.raises(ValidationFailed):
        feedback_rate(code=fb.code, user=fb_ctx["citizen"], score=6)
    rated = feedback_rate(code=fb.code, user=fb_ctx["citizen"], score=4, comment="Trả lời nhanh")
    assert (rated.rating_score, rated.rating_comment) == (4, "Trả lời nhanh")
    with pytest.raises(NotAllowed) as twice:
        feedback_rate(code=fb.code, user=fb_ctx["citizen"], score=1)
    assert twice.value.code == "already_rated"
    assert Feedback.objects.get(pk=fb.pk).rating_score == 4


def test_publication_is_anonymised(fb_ctx):
    fb = submit(
        fb_ctx["citizen"],
        publish_consent=True,
        text="Tôi là Lò Thị Mai, số 0912 345 001, CCCD 010190012345, mai@example.vn. Quầy 2 chậm.",
    )
    act(fb, "assign", fb_ctx["lanhdao"], assignee="chuyenvien")
    act(fb, "answer", fb_ctx["chuyenvien"], note="Cảm ơn bà Lò Thị Mai; đã nhắc quầy 2.")
    fb = act(fb, "publish", fb_ctx["lanhdao"])
    assert fb.status == "published" and fb.published_at
    for secret in ("Lò Thị Mai", "0912 345 001", "010190012345", "mai@example.vn"):
        assert secret not in fb.public_text + fb.public_answer
    assert "Quầy 2 chậm" in fb.public_text and "quầy 2" in fb.public_answer
    assert anonymise("Hẹn 15/12/2026 lúc 9 giờ") == "Hẹn 15/12/2026 lúc 9 giờ"


def test_phone_sender_and_attachments(fb_ctx):
    fb = feedback_submit(
        category="other",
        subject="Đèn đường",
        text="Đèn hỏng",
        phone="+84 912 999 888",
        channel="hotline",
        attachments=[SimpleUploadedFile("a.pdf", PDF_BYTES)],
    )
    assert fb.sender is None and fb.phone == "0912999888" and fb.channel == "hotline"
    assert fb.attachments.count() == 1 and fb.attachments.get().content_type == "application/pdf"
    with pytest.raises(ValidationFailed) as missing:
        feedback_submit(category="other", subject="x", text="y")
    assert "phone" in missing.value.fields
    with pytest.raises(ValidationFailed) as bad:
        feedback_submit(category="weather", subject="x", text="y", phone="0912999888")
    assert "category" in bad.value.fields


def test_workflow_file_loads_through_the_engine():
    workflow = feedback_workflow()
    assert workflow.ref == "feedback@1" and workflow.answer_working_days == 15
    assert workflow.actions["refuse"].within_working_days == 2
    assert workflow.actions["request_info"].within_working_days == 5
    assert workflow.publish_working_days == 2


# --- API ----------------------------------------------------------------------------------------------------------
@pytest.fixture
def call(client):
    def _call(method, path, token, **kwargs):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        if "data" in kwargs:
            kwargs["content_type"] = "application/json"
        return getattr(client, method)(f"/api/v1{path}", **headers, **kwargs)

    return _call


def test_api_submit_detail_transitions(fb_ctx, call, api_token, village_a):
    from motcua.accounts.services import citizen_create

    from .conftest import PASSWORD
    from .factories import DossierFactory

    tokens = {k: api_token(v) for k, v in fb_ctx.items()}
    dossier = DossierFactory(citizen=fb_ctx["citizen"], received=True)
    body = {
        "category": "dossier",
        "subject": "Hồ sơ trễ hẹn",
        "text": "Quá hạn mà chưa có kết quả",
        "dossier_code": dossier.code,
    }
    created = call("post", "/feedback", tokens["citizen"], data=body)
    assert created.status_code == 201, created.content
    out = created.json()
    assert set(out) == {"code", "status", "received_at", "due_at"} and out["status"] == "received"
    code = out["code"]
    assert Feedback.objects.get(code=code).dossier == dossier
    # Another citizen cannot name this dossier, nor read the item.
    other = citizen_create(
        username="khac",
        full_name="Vàng A Sử",
        citizen_id="010085054321",
        birth_date=dt.date(1985, 1, 2),
        gender="male",
        phone="0912345002",
        password=PASSWORD,
        address_unit=village_a,
    )
    stranger = api_token(other)
    refused = call("post", "/feedback", stranger, data=body)
    assert refused.status_code == 422 and refused.json()["code"] == "dossier_unknown"
    assert call("get", f"/feedback/{code}", stranger).status_code == 404
    assert call("get", f"/feedback/{code}", tokens["tiepnhan2"]).status_code == 404
    assert call("get", "/feedback/PA-000000-0000", tokens["citizen"]).json()["code"] == "not_found"
    mine = call("get", f"/feedback/{code}", tokens["citizen"]).json()
    assert mine["dossier_code"] == dossier.code and mine["version"] == 1
    seen = call("get", f"/feedback/{code}", tokens["lanhdao"]).json()
    assert "assign" in seen["actions"]
    ok = call(
        "post",
        f"/feedback/{code}/transitions",
        tokens["lanhdao"],
        data={"action": "assign", "version": 1, "assignee": "chuyenvien"},
    )
    assert ok.status_code == 200 and ok.json()["status"] == "handling" and ok.json()["version"] == 2
    stale = call(
        "post",
        f"/feedback/{code}/transitions",
        tokens["lanhdao"],
        data={"action": "extend", "version": 1, "note": "Cần xác minh"},
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    hidden = call("post", f"/feedback/{code}/transitions", stranger, data={"action": "assign", "version": 2})
    assert hidden.status_code == 404
    bad = call("post", "/feedback", tokens["citizen"], data={"category": "x", "subject": "a", "text": "b"})
    assert bad.status_code == 422 and "category" in bad.json()["fields"]


def test_the_escalation_job_is_registered_and_the_command_runs(fb_ctx, capsys):
    from django.core.management import call_command

    from motcua.core.periodic import periodic_jobs

    assert "feedback.escalate" in [job.name for job in periodic_jobs()]
    fb = submit(fb_ctx["citizen"], now=at(2026, 1, 5))
    call_command("feedback_escalate")
    call_command("feedback_escalate")
    assert FeedbackEvent.objects.filter(feedback=fb, action="escalate").count() == 1
    assert "0 phản ánh" in capsys.readouterr().out.splitlines()[-1]


def test_the_unit_is_the_senders_commune_office(fb_ctx, office_b, commune_b):
    from motcua.accounts.services import citizen_create
    from motcua.places.models import UnitType

    from .conftest import PASSWORD, make_unit

    # The first office is commune A's; a citizen of commune B is handled by commune B.
    village_b = make_unit("03037-01", "Thôn Tả Van Giáy", UnitType.VILLAGE, commune_b)
    other = citizen_create(
        username="tavan",
        full_name="Giàng A Sử",
        citizen_id="010085054321",
        birth_date=dt.date(1985, 1, 2),
        gender="male",
        phone="0912345002",
        password=PASSWORD,
        address_unit=village_b,
    )
    assert submit(other).unit == commune_b
    assert submit(fb_ctx["citizen"]).unit.code == "02839"


def test_demo_feedback_is_seeded_once(fb_ctx):
    from motcua.feedback.demo import DEMO_ITEMS, seed_feedback

    assert seed_feedback() == len(DEMO_ITEMS)
    assert seed_feedback() == 0
    assert Feedback.objects.count() == len(DEMO_ITEMS)
    assert Feedback.objects.published().count() == 2
    published = Feedback.objects.published().get(phone="0987000111")
    assert "0987 000 111" not in published.public_text and "Giàng A Páo" not in published.public_text
    assert Feedback.objects.filter(rating_score=5).count() == 1
    assert Feedback.objects.filter(escalated_at__isnull=False).exists()


def test_every_feedback_workflow_label_has_an_english_line():
    import glob
    import json

    import polib
    from django.conf import settings

    po = polib.pofile(str(settings.LOCALE_PATHS[0] / "en" / "LC_MESSAGES" / "django.po"))
    translated = {e.msgid for e in po if e.msgstr}
    for path in glob.glob(str(settings.BASE_DIR / "motcua" / "feedback" / "workflows" / "*.json")):
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        for section in ("states", "steps", "actions", "events", "params"):
            for item in data.get(section, {}).values():
                for key in ("label", "citizen_label", "note_label", "once_message", "missing"):
                    if key in item:
                        assert item[key] in translated, f"{path}: {item[key]}"


@pytest.mark.django_db(transaction=True)
def test_two_workers_escalate_an_item_once(citizen, office_a, make_officer, commune_a):
    """Two escalation jobs racing on PostgreSQL (two schedulers, or a manual run during the periodic one):
    one event, one message per leader."""
    import threading

    from django.db import connection

    from motcua.accounts.models import Role
    from motcua.feedback.services import feedback_escalate

    leader = make_officer("lanhdao", Role.LEADER, commune_a)
    fb = submit(citizen, now=at(2026, 1, 5))
    results, barrier = [], threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            results.append(feedback_escalate(feedback_id=fb.pk, now=at(2026, 3, 2)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    assert FeedbackEvent.objects.filter(feedback=fb, action="escalate").count() == 1
    assert InAppMessage.objects.filter(user=leader, title__contains=fb.code).count() == 1


def test_unconfirmed_uploads_are_pruned_after_a_day(fb_ctx):
    import datetime as dt

    from motcua.feedback.models import FeedbackAttachment
    from motcua.feedback.services import attachment_store, attachments_prune

    orphan = attachment_store(upload=SimpleUploadedFile("a.pdf", PDF_BYTES))
    kept = feedback_submit(
        category="other",
        subject="x",
        text="y",
        phone="0912999888",
        attachments=[SimpleUploadedFile("b.pdf", PDF_BYTES)],
    ).attachments.get()
    path = orphan.file.path
    assert attachments_prune() == 0
    assert attachments_prune(now=timezone.now() + dt.timedelta(days=2)) == 1
    assert not FeedbackAttachment.objects.filter(pk=orphan.pk).exists()
    assert FeedbackAttachment.objects.filter(pk=kept.pk).exists()
    import os

    assert not os.path.exists(path)


def test_the_overdue_tab_watches_the_current_deadline(fb_ctx):
    from motcua.feedback.selectors import feedback_worklist

    late_answer = submit(fb_ctx["citizen"], now=at(2026, 11, 2))
    late_publish = submit(fb_ctx["citizen"], now=at(2026, 11, 2))
    act(late_publish, "assign", fb_ctx["lanhdao"], now=at(2026, 11, 3), assignee="chuyenvien")
    act(late_publish, "answer", fb_ctx["chuyenvien"], now=at(2026, 11, 4), note="Đã xử lý")
    fresh = submit(fb_ctx["citizen"], now=at(2026, 11, 30))
    overdue = set(feedback_worklist(user=fb_ctx["lanhdao"], view="overdue", now=at(2026, 12, 1)))
    assert overdue == {late_answer, late_publish} and fresh not in overdue
    assert set(feedback_worklist(user=fb_ctx["chuyenvien"], view="mine", now=at(2026, 12, 1))) == {late_publish}
    assert set(feedback_worklist(user=fb_ctx["lanhdao"], view="unassigned")) == {late_answer, fresh}


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_repeats_of_one_item_make_one(citizen, office_a):
    """A retried or double-clicked send from the portal or the API (PostgreSQL, real threads): one item."""
    from django.db import connection

    from motcua.feedback.services import REPEAT_WINDOW

    from .test_concurrency import run_concurrently

    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL")
    results, errors = run_concurrently(20, 20, lambda i: submit(citizen, repeat_within=REPEAT_WINDOW))
    assert errors == []
    assert len({fb.pk for fb in results}) == 1
    assert Feedback.objects.filter(sender=citizen).count() == 1
    assert FeedbackEvent.objects.filter(action="submit").count() == 1


@pytest.mark.parametrize(
    "written",
    ["Lo Thi Mai", "LÒ THỊ MAI", "lò  thị\nmai", "Lo\u0300 Thi\u0323 Mai", "Lò Thị Mai"],
)
def test_the_senders_name_is_removed_however_it_is_written(written):
    """Found trying the public page: the name typed without diacritics («Lo Thi Mai») stayed public."""
    from motcua.feedback.services import anonymise

    public = anonymise(f"Tôi là {written}, ở thôn 3.", names=["Lò Thị Mai"])
    assert public == "Tôi là (người gửi), ở thôn 3."
    assert anonymise("Bà Lò Thị Maiên ở thôn 3", names=["Lò Thị Mai"]) == "Bà Lò Thị Maiên ở thôn 3"
    assert anonymise("Đặng Văn Đô, Dang Van Do", names=["Đặng Văn Đô"]) == "(người gửi), (người gửi)"


@given(text=st.text(max_size=300))
def test_anonymising_keeps_every_other_character(text):
    """Folding keeps one character per character, so only the name's own spans are replaced."""
    import unicodedata

    from motcua.feedback.services import _fold, anonymise

    nfc = unicodedata.normalize("NFC", text)
    assert len(_fold(nfc)) == len(nfc)
    if "@" not in nfc and not any(ch.isdigit() for ch in nfc):
        assert anonymise(nfc + " Lo Thi Mai", names=["Lò Thị Mai"]).endswith("(người gửi)")


def test_the_api_names_the_feedback_text_field_in_its_own_words(client, fb_ctx, api_token):
    """Found trying POST /api/v1/feedback: a NUL in the text was reported as «Câu hỏi» (the assistant's word),
    and a subject of zero-width spaces made an item with no visible title."""
    import json

    token = api_token(fb_ctx["citizen"])
    body = {"category": "service", "subject": "Quầy đóng sớm", "text": "a\x00b"}
    sent = client.post(
        "/api/v1/feedback", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert sent.status_code == 422 and "Câu hỏi" not in sent.content.decode("utf-8")
    body = {"category": "service", "subject": "\u200b\u200b", "text": "Quầy đóng lúc 16h"}
    sent = client.post(
        "/api/v1/feedback", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert sent.status_code == 422 and "subject" in sent.json()["fields"]
    assert not Feedback.objects.exists()


def test_a_day_off_added_later_moves_the_answer_deadline(fb_ctx, commune_a, make_officer):
    """Received Monday 30/11/2026, due Monday 21/12 (15 working days). Thursday 03/12 becomes a day off for the
    commune: the deadline moves to Tuesday 22/12, the log says why and the sender is told; an item waiting
    for the sender's additions keeps its clock stopped."""
    from motcua.accounts.models import Role
    from motcua.calendars.services import override_create

    fb = submit(fb_ctx["citizen"], now=at(2026, 11, 30))
    waiting = submit(fb_ctx["citizen"], now=at(2026, 11, 30), subject="Xin thêm thông tin", text="Hỏi về lệ phí.")
    act(waiting, "request_info", fb_ctx["lanhdao"], now=at(2026, 12, 1), note="Gửi thêm ảnh")
    waiting.refresh_from_db()
    paused_due = waiting.due_at
    admin = make_officer("qtx_fb", Role.UNIT_ADMIN, commune_a)
    override_create(actor=admin, date=dt.date(2026, 12, 3), kind="day_off", name="Nghỉ do bão", unit=commune_a)
    fb.refresh_from_db()
    assert fb.due_at.astimezone(TZ) == at(2026, 12, 22, 17, 0)
    event = FeedbackEvent.objects.get(feedback=fb, action="due_recalculated")
    assert "03/12/2026" in event.note and event.data["field"] == "due_at"
    assert InAppMessage.objects.filter(user=fb_ctx["citizen"], body__contains="22/12/2026").exists()
    waiting.refresh_from_db()
    assert waiting.due_at == paused_due
