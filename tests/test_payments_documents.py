"""Receipts (signed, numbered), the counter's payment notice (VietQR PNG inside the PDF), the API's
`payment` object and QR images, reconciliation of a prepared statement, and the officer pages."""

import datetime as dt
import io
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.payments import selectors, services, simulators, vietqr
from motcua.payments.models import IntentStatus, Payment, PaymentIntent, ReconciliationRun, SimulatedBankCredit
from motcua.payments.reconciliation import read_statement, reconcile

from .test_documents import _nss, needs_tools, pdfsig

pytestmark = pytest.mark.django_db


def _intent(dossier) -> PaymentIntent:
    return PaymentIntent.objects.get(dossier=dossier, status=IntentStatus.PENDING)


@pytest.fixture
def paid(fee_dossier, staff):
    simulators.simulate_bank_transfer(reference=_intent(fee_dossier).reference, amount=10000)
    return Payment.objects.get()


@needs_tools
def test_receipt_is_signed_and_verifies_with_pdfsig(paid, client, citizen, tmp_path):
    assert paid.receipt_sha256 and paid.receipt_number == 1
    client.force_login(citizen)
    response = client.get(f"/ho-so/{paid.intent.dossier.code}/bien-lai/{paid.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "bien-lai.pdf"
    path.write_bytes(response.content)
    output = pdfsig(path, _nss(tmp_path))
    assert "Signature Validation: Signature is Valid." in output, output
    assert "Certificate Validation: Certificate is Trusted." in output, output
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "BIÊN LAI THU LỆ PHÍ" in text and "10.000 ₫" in text and "0000001/" in text


def test_receipt_of_someone_else_is_404(paid, client, make_officer, commune_b):
    from motcua.accounts.models import Role
    from motcua.accounts.services import citizen_create

    other = citizen_create(
        username="khac",
        full_name="Người Khác",
        citizen_id="001090012346",
        birth_date=dt.date(1990, 1, 1),
        gender="male",
        phone="0912345999",
        password="mat-khau-thu-2026",
    )
    client.force_login(other)
    assert client.get(f"/ho-so/{paid.intent.dossier.code}/bien-lai/{paid.pk}.pdf").status_code == 404
    client.force_login(make_officer("tiepnhan-b", Role.INTAKE_OFFICER, commune_b))
    assert client.get(f"/ho-so/{paid.intent.dossier.code}/bien-lai/{paid.pk}.pdf").status_code == 404


@needs_tools
def test_payment_notice_pdf_carries_a_decodable_vietqr(fee_dossier, staff, client, tmp_path):
    intent = _intent(fee_dossier)
    client.force_login(staff["tiepnhan"])
    response = client.get(f"/can-bo/thanh-toan/{intent.reference}/giay-bao-thu.pdf")
    assert response.status_code == 200
    pdf = tmp_path / "giay-bao.pdf"
    pdf.write_bytes(response.content)
    subprocess.run(["pdftoppm", "-r", "200", "-png", str(pdf), str(tmp_path / "trang")], check=True)
    page = sorted(tmp_path.glob("trang*.png"))[0]
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(page)], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert vietqr.crc_ok(decoded)
    parsed = vietqr.parse(decoded)
    assert parsed.amount == 10000 and parsed.purpose == intent.reference


def test_api_dossier_detail_has_the_payment_object(fee_dossier, client, citizen, api_token):
    token = api_token(citizen)
    body = client.get(f"/api/v1/dossiers/{fee_dossier.code}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    payment = body["payment"]
    assert set(payment) == {"status", "amount", "lines", "reference", "qr_payload", "channel"}
    intent = _intent(fee_dossier)
    assert (payment["status"], payment["amount"], payment["reference"], payment["channel"]) == (
        "pending",
        10000,
        intent.reference,
        None,
    )
    assert vietqr.parse(payment["qr_payload"]).purpose == intent.reference
    assert payment["lines"][0]["category"] == "le_phi"
    simulators.simulate_bank_transfer(reference=intent.reference, amount=10000)
    paid = client.get(f"/api/v1/dossiers/{fee_dossier.code}", HTTP_AUTHORIZATION=f"Bearer {token}").json()["payment"]
    assert paid["status"] == "paid" and paid["channel"] == "direct_transfer" and paid["qr_payload"] is None
    assert paid["lines"][0]["receipt_url"].endswith(".pdf")


def test_api_qr_images(fee_dossier, client, citizen, api_token):
    from PIL import Image

    token = api_token(citizen)
    reference = _intent(fee_dossier).reference
    svg = client.get(f"/api/v1/payments/{reference}/qr.svg", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    png = client.get(f"/api/v1/payments/{reference}/qr.png", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert png.status_code == 200 and Image.open(io.BytesIO(png.content)).format == "PNG"
    assert client.get(f"/api/v1/payments/{reference}/qr.svg").status_code == 401
    assert client.get("/api/v1/payments/MCNOTHING1/qr.svg", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404


def test_citizen_payment_page_shows_qr_and_pays_through_the_demo_bank(fee_dossier, client, citizen, staff):
    client.force_login(citizen)
    response = client.get(f"/ho-so/{fee_dossier.code}/thanh-toan")
    assert len(response.content) < 60_000  # the citizen page budget (UI.md), QR included
    page = response.content.decode()
    assert page.count("<h1") == 1 and "<script" not in page  # works without JavaScript
    intent = _intent(fee_dossier)
    assert "<svg" in page and intent.reference in page and "10.000 ₫" in page and "Chờ thanh toán" in page
    assert "Phí, lệ phí" in client.get(f"/ho-so/{fee_dossier.code}").content.decode()
    response = client.post(
        f"/ho-so/{fee_dossier.code}/thanh-toan", {"action": "simulate_bank", "reference": intent.reference}
    )
    assert response.status_code == 302
    page = client.get(f"/ho-so/{fee_dossier.code}/thanh-toan").content.decode()
    assert "Đã thanh toán" in page and "Biên lai số" in page


def test_the_demo_bank_button_does_not_transfer_again_what_the_bank_already_booked(fee_dossier, client, citizen):
    """A transfer booked whose notification is still on its way: pressing the button again pays nothing more."""
    client.force_login(citizen)
    intent = _intent(fee_dossier)
    simulators.simulate_bank_transfer(reference=intent.reference, amount=10000, deliver=False)
    response = client.post(
        f"/ho-so/{fee_dossier.code}/thanh-toan", {"action": "simulate_bank", "reference": intent.reference}
    )
    assert response.status_code == 302
    assert SimulatedBankCredit.objects.filter(reference=intent.reference).count() == 1
    assert not Payment.objects.filter(intent=intent).exists()
    assert simulators.simulate_pay_button(reference=intent.reference) is False


def test_gateway_round_trip_through_the_simulator(fee_dossier, client, citizen):
    client.force_login(citizen)
    intent = _intent(fee_dossier)
    response = client.post(
        f"/ho-so/{fee_dossier.code}/thanh-toan", {"action": "gateway", "reference": intent.reference}
    )
    assert response.status_code == 302 and "/thanh-toan/mo-phong/cong?" in response["Location"]
    gateway_page = client.get(response["Location"])
    assert gateway_page.status_code == 200
    query = response["Location"].split("?", 1)[1]
    from urllib.parse import parse_qsl

    back = client.post("/thanh-toan/mo-phong/cong", dict(parse_qsl(query)) | {"result": "pay"})
    assert back.status_code == 302 and "/thanh-toan/ket-qua/vnpay-demo?" in back["Location"]
    assert client.get(back["Location"]).status_code == 302
    intent.refresh_from_db()
    assert intent.status == IntentStatus.PAID
    assert Payment.objects.get().channel == "provincial_gateway"


def test_gateway_simulator_refuses_unsigned_requests(fee_dossier, client):
    assert client.get("/thanh-toan/mo-phong/cong?vnp_TxnRef=X&vnp_Amount=100").status_code == 400


# --- reconciliation ---------------------------------------------------------------------------------------------
@pytest.fixture
def statement_case(fee_dossier, catalog, citizen):
    """Four dossiers: A paid and on the statement (matched); B paid by us but missing at the bank; C paid
    at the bank but its notification lost (missing on our side); D on the statement at the wrong amount;
    plus a repeated statement line and a credit nobody can match."""
    from motcua.dossiers.services import dossier_submit

    from .conftest import MARITAL_FORM

    dossiers = [fee_dossier] + [
        dossier_submit(citizen=citizen, procedure_code="1.004873", form=MARITAL_FORM, idempotency_key=f"rc-{i}")[0]
        for i in range(3)
    ]
    a, b, c, d = (_intent(x) for x in dossiers)
    simulators.simulate_bank_transfer(reference=a.reference, amount=10000)
    body, headers = simulators.bank_notification(reference=b.reference, amount=10000, transaction_id="FT-ONLY-OURS")
    services.callback_receive(provider_name="vietqr-demo", raw_body=body, headers=headers, params={})
    simulators.simulate_bank_transfer(reference=c.reference, amount=10000, deliver=False)
    a_tx = Payment.objects.get(intent=a).transaction_id
    statement = simulators.bank_statement_csv(
        extra_lines=[
            {
                "transaction_id": "FT-WRONG",
                "paid_at": "",
                "amount": "9.000",
                "reference": "",
                "description": d.reference,
            },
            {"transaction_id": a_tx, "paid_at": "", "amount": "10000", "reference": a.reference},
            {"transaction_id": "FT-STRANGER", "paid_at": "", "amount": "50000", "description": "ung ho"},
        ]
    )
    return statement, {"a": a, "b": b, "c": c, "d": d}


def test_reconciliation_finds_each_kind_of_difference(statement_case):
    statement, intents = statement_case
    result = reconcile(read_statement(statement))
    counts = result["counts"]
    assert counts == {"matched": 1, "mismatched": 1, "missing_ours": 2, "missing_bank": 1, "duplicate": 1}, result
    by_kind = {}
    for row in result["differences"]:
        by_kind.setdefault(row["kind"], []).append(row)
    assert by_kind["missing_bank"][0]["transaction_id"] == "FT-ONLY-OURS"
    assert {r["reference"] or r["transaction_id"] for r in by_kind["missing_ours"]} == {
        intents["c"].reference,
        "FT-STRANGER",
    }
    assert by_kind["mismatched"][0]["our_amount"] == 10000


def test_reconcile_command_writes_the_differences(statement_case, tmp_path):
    from django.core.management import call_command

    statement, _ = statement_case
    source = tmp_path / "sao-ke.csv"
    source.write_text(statement, encoding="utf-8")
    out_csv = tmp_path / "chenh-lech.csv"
    out = io.StringIO()
    call_command("payments_reconcile", str(source), differences=str(out_csv), stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "matched            1" in text and "missing_bank       1" in text and "duplicate          1" in text
    lines = out_csv.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("kind,label,line") and len(lines) == 1 + 5


def test_reconcile_page_runs_with_progress_and_csv(statement_case, client, staff):
    statement, _ = statement_case
    client.force_login(staff["tiepnhan"])
    response = client.post(
        "/can-bo/thanh-toan/doi-soat",
        {"statement": SimpleUploadedFile("sao-ke.csv", statement.encode(), content_type="text/csv")},
    )
    run = ReconciliationRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/doi-soat/{run.pk}")
    page = client.get(response["Location"]).content.decode()
    assert "<progress" in page and 'value="100"' in page and "Lệch số tiền" in page
    csv_response = client.get(f"/can-bo/thanh-toan/doi-soat/{run.pk}/chenh-lech.csv")
    assert csv_response.status_code == 200 and "missing_bank" in csv_response.content.decode("utf-8-sig")


def test_the_same_statement_uploaded_twice_is_reconciled_once(statement_case, client, staff):
    statement, _ = statement_case
    client.force_login(staff["tiepnhan"])
    answers = [
        client.post(
            "/can-bo/thanh-toan/doi-soat",
            {"statement": SimpleUploadedFile("sao-ke.csv", statement.encode(), content_type="text/csv")},
        )
        for _click in range(2)
    ]
    run = ReconciliationRun.objects.get()
    assert {a["Location"] for a in answers} == {f"/can-bo/thanh-toan/doi-soat/{run.pk}"}
    # Another statement is another run.
    client.post(
        "/can-bo/thanh-toan/doi-soat",
        {"statement": SimpleUploadedFile("khac.csv", statement.encode() + b"\n", content_type="text/csv")},
    )
    assert ReconciliationRun.objects.count() == 2


def test_a_statement_without_the_needed_columns_is_refused_with_a_reason(client, staff, office_a):
    client.force_login(staff["tiepnhan"])
    client.post(
        "/can-bo/thanh-toan/doi-soat",
        {"statement": SimpleUploadedFile("x.csv", b"a,b\n1,2\n", content_type="text/csv")},
    )
    run = ReconciliationRun.objects.get()
    assert run.status == "failed" and "transaction_id" in run.error


def test_cashier_queue_and_counter_pages(fee_dossier, client, staff):
    intent = _intent(fee_dossier)
    body, headers = simulators.bank_notification(reference="MCKHONGCO1", amount=7000)
    services.callback_receive(provider_name="vietqr-demo", raw_body=body, headers=headers, params={})
    client.force_login(staff["tiepnhan"])
    queue = client.get("/can-bo/thanh-toan").content.decode()
    assert intent.reference in queue and "MCKHONGCO1" in queue
    counter = client.get(f"/can-bo/thanh-toan/{intent.reference}").content.decode()
    assert "<svg" in counter and "Thu tiền mặt" in counter
    client.post(f"/can-bo/thanh-toan/{intent.reference}", {"action": "cash", "amount": "10.000"})
    intent.refresh_from_db()
    assert intent.status == IntentStatus.PAID
    payment = Payment.objects.get()
    assert payment.channel == "cash" and payment.receipt_sha256
    assert selectors.payment_summary(fee_dossier)["channel"] == "cash"


def test_other_commune_officer_gets_404_on_the_counter_page(fee_dossier, client, staff):
    client.force_login(staff["tiepnhan2"])
    assert client.get(f"/can-bo/thanh-toan/{_intent(fee_dossier).reference}").status_code == 404
