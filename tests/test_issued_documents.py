"""Issue 13 (kinds 1–4, 9): signed paperwork exists only for events that happened, is issued once and
served as issued, says what was received, reads like the real thing, and is signed outside the
database's write lock."""

import datetime as dt
import hashlib
import io
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from django.db import connection, connections
from django.utils import timezone
from pypdf import PdfReader

from motcua.accounts.models import Position, Role, RoleGrant
from motcua.core.errors import ValidationFailed
from motcua.documents.models import IssuedForm, ResultDocument
from motcua.documents.selectors import verify_upload
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import attachment_upload, dossier_submit, dossier_transition

from .conftest import BIRTH_FORM, PDF_BYTES, advance
from .factories import DossierFactory

TZ = dt.timezone(dt.timedelta(hours=7))


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


class Flat(str):
    """Extracted PDF text compared without whitespace: where a line wraps or a label meets its bold
    value is layout, not content."""

    def __new__(cls, text: str):
        return super().__new__(cls, "".join(text.split()))

    def __contains__(self, needle: str) -> bool:
        return str.__contains__(self, "".join(needle.split()))


def flat_text(pdf: bytes) -> Flat:
    return Flat(text_of(pdf))


def fresh(dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


def act(dossier, action, actor, **params):
    note = params.pop("note", "Đồng ý")
    d = fresh(dossier)
    return dossier_transition(code=d.code, action=action, actor=actor, version=d.version, note=note, params=params)


def online_birth(citizen, key="k1", **state):
    """A birth registration filed online with its birth notice (``approved=True`` etc. to move it on)."""
    return DossierFactory(citizen=citizen, procedure_code="1.001193", idempotency_key=key, **state)


# --- kind 1: a form exists only if its event happened ----------------------------------------------------
def test_forms_of_events_that_did_not_happen_are_404(catalog, citizen, office_a, staff, client):
    dossier = online_birth(citizen)
    client.force_login(citizen)
    for form in ("01", "02", "03", "04", "05", "kiem-soat"):
        assert client.get(f"/ho-so/{dossier.code}/phieu/{form}.pdf").status_code == 404, form
    act(dossier, "accept", staff["tiepnhan"])
    assert client.get(f"/ho-so/{dossier.code}/phieu/01.pdf").status_code == 200
    # Never refused, never asked for a supplement, never apologised, never stopped.
    for form in ("02", "03", "04", "05", "kiem-soat"):
        assert client.get(f"/ho-so/{dossier.code}/phieu/{form}.pdf").status_code == 404, form


def test_a_refusal_notice_carries_its_reason_and_exists_only_after_the_refusal(
    catalog, citizen, office_a, staff, client
):
    dossier = online_birth(citizen)
    client.force_login(citizen)
    assert client.get(f"/ho-so/{dossier.code}/phieu/03.pdf").status_code == 404
    act(dossier, "refuse", staff["tiepnhan"], note="Trẻ sinh tại xã khác, không thuộc thẩm quyền")
    pdf = client.get(f"/ho-so/{dossier.code}/phieu/03.pdf").content
    text = text_of(pdf)
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ" in text
    assert "Trẻ sinh tại xã khác, không thuộc thẩm quyền" in text
    [signature] = verify_upload(pdf)["signatures"]
    assert signature["signer"] == "tiepnhan" and signature["intact"]
    # The dossier was refused before any completeness check: it never got a receipt.
    assert client.get(f"/ho-so/{dossier.code}/phieu/01.pdf").status_code == 404
    # Refused at the desk: the receiving officer signs as such (the role decides, not the action's name).
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text and "NGƯỜI LẬP PHIẾU" not in text


def test_notices_word_and_sign_by_who_took_the_step(catalog, citizen, office_a, staff, client):
    """Form 03 after appraisal is drawn up by the specialist; form 05 says "at your request" only when the
    citizen withdrew, and gives the agency's reason when a leader stopped the dossier."""
    client.force_login(citizen)
    refused = online_birth(citizen, key="refused")
    refused = advance(refused, staff, [("accept", "tiepnhan", {}), ("assign", "tiepnhan", {"assignee": "chuyenvien"})])
    act(refused, "refuse", staff["chuyenvien"], note="Giấy tờ không hợp lệ")
    text = text_of(client.get(f"/ho-so/{refused.code}/phieu/03.pdf").content)
    assert "NGƯỜI LẬP PHIẾU" in text and "NGƯỜI TIẾP NHẬN HỒ SƠ" not in text
    withdrawn = online_birth(citizen, key="withdrawn")
    act(withdrawn, "withdraw", citizen)
    text = text_of(client.get(f"/ho-so/{withdrawn.code}/phieu/05.pdf").content)
    assert "Theo đề nghị rút hồ sơ của ông/bà" in text
    stopped = advance(online_birth(citizen, key="stopped"), staff, [("accept", "tiepnhan", {})])
    act(stopped, "stop", staff["lanhdao"], note="Người yêu cầu đã chết")
    text = text_of(client.get(f"/ho-so/{stopped.code}/phieu/05.pdf").content)
    assert "dừng giải quyết hồ sơ với lý do" in text and "Theo đề nghị rút hồ sơ" not in text


# --- kind 2: issued once, served as issued ---------------------------------------------------------------------
def test_every_form_of_a_finished_dossier_downloads_twice_with_the_same_bytes(
    catalog, citizen, office_a, staff, client
):
    def at(text):
        return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)

    dossier, _ = dossier_submit(
        citizen=citizen,
        procedure_code="1.004873",  # marital status certificate: 3 working days, so an apology fits in
        form={"muc_dich": "Đăng ký kết hôn", "tinh_trang": "Chưa kết hôn"},
        now=at("2026-03-09T09:00"),
    )
    steps = [
        ("accept", "tiepnhan", {}, "2026-03-09T09:30"),
        ("request_supplement", "tiepnhan", {"note": "Bổ sung giấy tờ chứng minh đã ly hôn"}, "2026-03-09T10:00"),
        ("submit_supplement", None, {}, "2026-03-09T14:00"),
        ("extend", "tiepnhan", {"note": "Chờ xác minh nơi cư trú trước", "new_due": "19/03/2026"}, "2026-03-10T09:00"),
        ("assign", "tiepnhan", {"assignee": "chuyenvien"}, "2026-03-10T09:10"),
        ("appraise", "chuyenvien", {}, "2026-03-11T09:00"),
        ("approve", "lanhdao", {}, "2026-03-11T10:00"),
        ("sign", "lanhdao", {"confirm": True}, "2026-03-11T10:05"),
        ("return_result", "tiepnhan", {"method": "online"}, "2026-03-11T14:00"),
    ]
    for action, who, params, moment in steps:
        params = dict(params)
        note = params.pop("note", "Đồng ý")
        d = fresh(dossier)
        dossier_transition(
            code=d.code,
            action=action,
            actor=staff[who] if who else citizen,
            version=d.version,
            note=note,
            params=params,
            now=at(moment),
        )
    client.force_login(citizen)
    issued = list(IssuedForm.objects.filter(dossier=dossier).order_by("pk"))
    assert [f.form for f in issued] == ["01", "02", "01", "04", "kiem-soat"]
    for form in issued:
        url = f"/ho-so/{dossier.code}/phieu/{form.form}/{form.pk}.pdf"
        first, second = client.get(url), client.get(url)
        assert first.status_code == second.status_code == 200
        assert first.content == second.content
        assert hashlib.sha256(first.content).hexdigest() == form.sha256
    assert "Chờ xác minh nơi cư trú trước" in text_of(client.get(f"/ho-so/{dossier.code}/phieu/04.pdf").content)
    for never in ("03", "05"):
        assert client.get(f"/ho-so/{dossier.code}/phieu/{never}.pdf").status_code == 404
    # The result is served as stored too.
    result = ResultDocument.objects.get(dossier=dossier)
    url = f"/ho-so/{dossier.code}/ket-qua/{result.public_code}.pdf"
    assert b"".join(client.get(url).streaming_content) == b"".join(client.get(url).streaming_content)


def test_a_supplement_issues_a_new_receipt_and_keeps_the_original(catalog, citizen, office_a, staff, client):
    dossier = online_birth(citizen)
    act(dossier, "accept", staff["tiepnhan"])
    first = IssuedForm.objects.get(dossier=dossier, form="01")
    original_received = fresh(dossier).received_at
    act(dossier, "request_supplement", staff["tiepnhan"], note="Bổ sung giấy chứng sinh bản rõ nét")
    act(dossier, "submit_supplement", citizen)
    second = IssuedForm.objects.filter(dossier=dossier, form="01").latest("pk")
    assert second.pk != first.pk and second.supersedes_id == first.pk
    assert dt.datetime.fromisoformat(first.facts["received_at"]) == original_received
    assert dt.datetime.fromisoformat(second.facts["received_at"]) == fresh(dossier).received_at
    assert second.facts["register"] == first.facts["register"]  # one register entry per dossier
    client.force_login(citizen)
    old = client.get(f"/ho-so/{dossier.code}/phieu/01/{first.pk}.pdf").content
    assert hashlib.sha256(old).hexdigest() == first.sha256
    assert client.get(f"/ho-so/{dossier.code}/phieu/01.pdf").content != old  # the latest is the new one
    page = client.get(f"/ho-so/{dossier.code}").content.decode()
    assert page.count("Giấy tiếp nhận hồ sơ và hẹn trả kết quả") == 2 and "đã được thay thế" in page


def test_an_interrupted_signing_leaves_the_form_pending_and_the_first_download_completes_it(
    catalog, citizen, office_a, staff, client, monkeypatch
):
    from motcua.documents import forms

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(forms, "render_form", broken)
    dossier = online_birth(citizen)
    act(dossier, "accept", staff["tiepnhan"])  # the event stands even though the form was not written
    pending = IssuedForm.objects.get(dossier=dossier, form="01")
    assert not pending.is_ready and pending.facts["received_at"]
    monkeypatch.undo()
    client.force_login(citizen)
    first = client.get(f"/ho-so/{dossier.code}/phieu/01.pdf").content
    assert client.get(f"/ho-so/{dossier.code}/phieu/01.pdf").content == first
    assert IssuedForm.objects.get(pk=pending.pk).sha256 == hashlib.sha256(first).hexdigest()


# --- kind 3: Form 01 says what was received ----------------------------------------------------------------------
def test_form_01_lists_only_what_was_received_with_the_fields_of_the_official_form(
    catalog, citizen, office_a, staff, client
):
    dossier = online_birth(citizen)
    act(dossier, "accept", staff["tiepnhan"])
    client.force_login(citizen)
    text = flat_text(client.get(f"/ho-so/{dossier.code}/phieu/01.pdf").content)
    assert "Tờ khai đăng ký khai sinh" in text and "Giấy chứng sinh hoặc giấy tờ thay giấy chứng sinh" in text
    # Optional documents never handed in, and the ID card only shown, are not listed as received.
    assert "Giấy chứng nhận kết hôn" not in text and "Văn bản ủy quyền" not in text and "Căn cước" not in text
    assert "Địa chỉ: Thôn Na Hối, xã Bắc Hà, tỉnh Lào Cai" in text
    assert "Số lượng hồ sơ: 01 (bộ)" in text
    assert "Đăng ký nhận kết quả tại:" in text and "Bộ phận Một cửa UBND xã Bắc Hà" in text
    assert f"Quyển số: 01/{timezone.localdate().year}, Số thứ tự: 1" in text
    assert "NGƯỜI NỘP HỒ SƠ" in text and "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    assert "Bắc Hà, ngày" in text


def test_a_counter_intake_gets_its_receipt_at_once_and_register_numbers_follow(
    catalog, citizen, office_a, staff, client
):
    notice, id_card = (
        "Giấy chứng sinh hoặc giấy tờ thay giấy chứng sinh",
        "Căn cước hoặc giấy tờ tùy thân của người nộp hồ sơ",
    )
    first, _ = dossier_submit(
        citizen=citizen,
        procedure_code="1.001193",
        form=BIRTH_FORM,
        channel="counter",
        officer=staff["tiepnhan"],
        counter_documents=[notice, id_card],
    )
    second, _ = dossier_submit(
        citizen=citizen,
        procedure_code="1.001193",
        form=BIRTH_FORM,
        channel="counter",
        officer=staff["tiepnhan"],
        counter_documents=[id_card],
        exception_note="Giấy chứng sinh bị mất, bệnh viện đang cấp lại",
    )
    numbers = [IssuedForm.objects.get(dossier=d, form="01").facts["register"]["number"] for d in (first, second)]
    assert numbers == [1, 2]
    client.force_login(citizen)
    text = flat_text(client.get(f"/ho-so/{first.code}/phieu/01.pdf").content)
    assert "(Ký và ghi rõ họ tên)" in text and "tiepnhan" in text
    # The paper birth notice was received; the ID card was only shown.
    assert "Giấy chứng sinh hoặc giấy tờ thay giấy chứng sinh Bản chính (giấy) 01" in text and "Căn cước" not in text
    text = flat_text(client.get(f"/ho-so/{second.code}/phieu/01.pdf").content)
    assert "Tiếp nhận khi còn thiếu: Giấy chứng sinh hoặc giấy tờ thay giấy chứng sinh" in text
    assert "bệnh viện đang cấp lại" in text


# --- kind 4: results read like the real thing --------------------------------------------------------------------
def _date_line_x(pdf: bytes, needle: str) -> float:
    found = []

    def visit(text, cm, tm, font, size):
        if needle in text:
            found.append(tm[4])

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    assert found, needle
    return found[0]


@pytest.mark.parametrize(
    ("position", "capacity"),
    [(Position.CHAIRMAN, "TM. ỦY BAN NHÂN DÂN"), (Position.VICE_CHAIRMAN, "KT. CHỦ TỊCH")],
)
def test_the_birth_extract_reads_like_the_official_form(catalog, citizen, office_a, staff, client, position, capacity):
    RoleGrant.objects.filter(user=staff["lanhdao"], role=Role.LEADER).update(position=position)
    dossier = online_birth(citizen, returned=True)
    result = ResultDocument.objects.get(dossier=dossier)
    pdf = result.file.open("rb").read()
    text = flat_text(pdf)
    assert "ỦY BAN NHÂN DÂN" in text and "XÃ BẮC HÀ" in text and "TRÍCH LỤC KHAI SINH" in text
    assert capacity in text and ("PHÓ CHỦ TỊCH" in text) == (position == Position.VICE_CHAIRMAN)
    assert "LÃNH ĐẠO" not in text.upper()
    assert "Bộ phận Một cửa" not in text  # the issuing body is the People's Committee
    assert "HOÀNG THỊ LAN" in text
    assert "Ghi bằng chữ: Ngày hai mươi, tháng mười một, năm hai nghìn không trăm hai mươi sáu" in text
    assert "Giới tính: Nữ" in text and "Quốc tịch: Việt Nam" in text
    assert "Nơi đăng ký khai sinh: Ủy ban nhân dân xã Bắc Hà, tỉnh Lào Cai" in text
    assert f"Số: {dossier.code}" not in text  # an extract carries the register number, not the dossier code
    width = float(PdfReader(io.BytesIO(pdf)).pages[0].mediabox[2])
    assert _date_line_x(pdf, "Bắc Hà, ngày") > width / 2  # the place/date line sits on the right


def test_the_leader_previews_and_must_confirm_before_signing(catalog, citizen, office_a, staff, client):
    dossier = online_birth(citizen, approved=True)
    d = fresh(dossier)
    assert d.status == "approved"
    client.force_login(staff["lanhdao"])
    page = client.get(f"/can-bo/ho-so/{d.code}").content.decode()
    assert "Xem trước kết quả" in page and 'name="confirm"' in page
    preview = client.get(f"/can-bo/ho-so/{d.code}/ket-qua/xem-truoc.pdf")
    assert preview.status_code == 200 and "BẢN XEM TRƯỚC" in text_of(preview.content)
    assert verify_upload(preview.content)["signatures"] == [] and not ResultDocument.objects.exists()
    with pytest.raises(ValidationFailed) as refused:
        dossier_transition(code=d.code, action="sign", actor=staff["lanhdao"], version=d.version)
    assert "confirm" in refused.value.fields and fresh(d).status == "approved"
    client.force_login(staff["chuyenvien"])  # only someone who may sign sees the preview
    assert client.get(f"/can-bo/ho-so/{d.code}/ket-qua/xem-truoc.pdf").status_code == 404
    dossier_transition(code=d.code, action="sign", actor=staff["lanhdao"], version=d.version, params={"confirm": "1"})
    assert fresh(d).status == "signed" and ResultDocument.objects.count() == 1


def test_number_words():
    from motcua.documents.results import date_words, number_words

    assert number_words(21) == "hai mươi mốt" and number_words(15) == "mười lăm" and number_words(24) == "hai mươi tư"
    assert number_words(2026) == "hai nghìn không trăm hai mươi sáu" and number_words(105) == "một trăm linh năm"
    assert number_words(2000) == "hai nghìn" and number_words(1990) == "một nghìn chín trăm chín mươi"
    assert date_words(dt.date(2026, 11, 20)) == "Ngày hai mươi, tháng mười một, năm hai nghìn không trăm hai mươi sáu"


# --- kind 9: signing never holds the database's write lock --------------------------------------------------------
def _probe_write(pk: int, outcome: list) -> None:
    """Another connection writes the same dossier row with a short lock wait: it succeeds only if
    nobody holds the write lock (SQLite) or the row lock (PostgreSQL) meanwhile."""
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA busy_timeout = 1000")
            else:
                cursor.execute("SET lock_timeout = '1000ms'")
        Dossier.objects.filter(pk=pk).update(updated_at=timezone.now())
        outcome.append("ok")
    except Exception as exc:  # reported in the assertion
        outcome.append(repr(exc))
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_signing_happens_outside_the_write_transaction(catalog, citizen, office_a, staff, monkeypatch):
    from motcua.documents import services

    dossier = online_birth(citizen, approved=True)
    outcome: list = []
    real = services.sign_pdf

    def signing_while_someone_else_writes(*args, **kwargs):
        probe = threading.Thread(target=_probe_write, args=(dossier.pk, outcome))
        probe.start()
        probe.join()
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "sign_pdf", signing_while_someone_else_writes)
    d = fresh(dossier)
    dossier_transition(code=d.code, action="sign", actor=staff["lanhdao"], version=d.version, params={"confirm": 1})
    assert outcome and set(outcome) == {"ok"}, outcome
    assert fresh(d).status == "signed"


@pytest.mark.django_db(transaction=True)
def test_leaders_sign_while_other_threads_write_and_every_request_succeeds(
    catalog, citizen, office_a, staff, monkeypatch
):
    """On the embedded SQLite (file, WAL) and on PostgreSQL alike: 4 signings, made slow on purpose
    (3 s each, a slow token or time-stamp authority), run beside 12 submissions and 4 acceptances;
    nothing fails. On SQLite the lock wait is cut to 8 s: less than the 12 s the signings would hold the
    write lock in a row if they signed inside the transaction, and enough headroom for the short write
    transactions of 16 other threads on a busy 2-core machine (4 s failed there now and then)."""
    import time

    from motcua.documents import services

    if connection.vendor == "sqlite":
        options = connections.settings["default"]["OPTIONS"]
        monkeypatch.setitem(options, "timeout", 8)
        monkeypatch.setitem(
            options, "init_command", options["init_command"].replace("busy_timeout=20000", "busy_timeout=8000")
        )

    ready = []
    for i in range(4):
        d = online_birth(citizen, key=f"sign-{i}", approved=True)
        ready.append(fresh(d))
    waiting = [online_birth(citizen, key=f"accept-{i}") for i in range(4)]
    real = services.sign_pdf

    def slow_sign(*args, **kwargs):
        time.sleep(3.0)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "sign_pdf", slow_sign)
    errors, done = [], []

    def run(fn):
        try:
            fn()
            done.append(1)
        except Exception as exc:  # collected and asserted below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    jobs = [
        lambda d=d: dossier_transition(
            code=d.code, action="sign", actor=staff["lanhdao"], version=d.version, params={"confirm": True}
        )
        for d in ready
    ]
    jobs += [
        lambda d=d: dossier_transition(code=d.code, action="accept", actor=staff["tiepnhan"], version=d.version)
        for d in waiting
    ]
    jobs += [lambda i=i: online_birth(citizen, key=f"busy-{i}") for i in range(12)]
    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(done) == len(jobs)
    assert Dossier.objects.filter(status="signed").count() == 4 and ResultDocument.objects.count() == 4
    assert all(f.is_ready for f in IssuedForm.objects.all())


# --- examples in docs/ --------------------------------------------------------------------------------------------
needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")


@needs_poppler
def test_form_01_and_the_birth_extract_render_to_images(catalog, citizen, office_a, staff, client, tmp_path):
    """Renders the two examples shown in docs/documents.md (written there when MOTCUA_WRITE_EXAMPLES=1)."""
    RoleGrant.objects.filter(user=staff["lanhdao"], role=Role.LEADER).update(position=Position.VICE_CHAIRMAN)
    for username, name in (("lanhdao", "Hoàng Văn Minh"), ("tiepnhan", "Nguyễn Văn Tiếp")):
        staff[username].full_name = name
        staff[username].save(update_fields=["full_name"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    notice = attachment_upload(
        owner=citizen,
        upload=SimpleUploadedFile("chung-sinh.pdf", PDF_BYTES, content_type="application/pdf"),
        document_name="Giấy chứng sinh hoặc giấy tờ thay giấy chứng sinh",
    )
    dossier, _ = dossier_submit(
        citizen=citizen,
        procedure_code="1.001193",
        form={**BIRTH_FORM, "dan_toc": "Kinh", "ho_ten_cha": "Hoàng Văn Nam"},
        attachment_ids=[notice.pk],
        idempotency_key="example",
    )
    advance(dossier, staff)
    receipt = IssuedForm.objects.get(dossier=dossier, form="01").file.open("rb").read()
    extract = ResultDocument.objects.get(dossier=dossier).file.open("rb").read()
    target = Path(__file__).resolve().parent.parent / "docs" / "examples"
    for name, pdf, size in (("form-01", receipt, (874, 1240)), ("birth-extract", extract, (1240, 1754))):
        source = tmp_path / f"{name}.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", str(source), str(tmp_path / name)], check=True)
        png = (tmp_path / f"{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG")
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        assert (abs(width - size[0]) <= 2, abs(height - size[1]) <= 2) == (True, True)
        if os.environ.get("MOTCUA_WRITE_EXAMPLES") == "1":
            target.mkdir(exist_ok=True)
            (target / f"{name}.png").write_bytes(png)


def test_the_sweeper_completes_pending_forms(catalog, citizen, office_a, staff, monkeypatch):
    from django.core.management import call_command

    from motcua.documents import forms

    monkeypatch.setattr(forms, "render_form", lambda facts: (_ for _ in ()).throw(OSError("crash")))
    dossier = online_birth(citizen)
    act(dossier, "refuse", staff["tiepnhan"], note="Không thuộc thẩm quyền")
    assert not IssuedForm.objects.get(dossier=dossier, form="03").is_ready
    monkeypatch.undo()
    out = io.StringIO()
    call_command("forms_issue_pending", stdout=out)
    assert "còn 0 phiếu" in out.getvalue()
    assert all(f.is_ready for f in IssuedForm.objects.filter(dossier=dossier))
