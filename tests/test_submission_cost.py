"""What one online submission costs the database (issue 15, point 9): a small constant number of
queries in one short transaction, the daily code counter taken last and followed only by what needs the
code; the worker woken without a task row per submission. bench/load_submissions.py measures the rate."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_submit
from motcua.payments.models import PaymentIntent
from motcua.payments.references import reference_for

from .conftest import BIRTH_FORM, MARITAL_FORM, documents_for

# The whole request: token, idempotency key, the configuration's generations (core.confcache: procedure and its
# documents, office, office hours, calendar overrides and payment account from the process's cache while they
# are unchanged), profile, the dossier, outreach person, the counter with the code and the rollup counters, the
# fee's intent, the event, the outbox rows, the worker's wake-up. It was 31, then 17. On SQLite (no cache) the
# five configuration reads instead of the generations, and the code and the day's and month's counters take a
# statement each: eight more.
REQUEST_QUERIES = 12


def _after_counter(sql: list[str]) -> list[str]:
    counter = next(i for i, s in enumerate(sql) if "dossiers_dossiercounter" in s)
    return sql[counter + 1 :]


def test_a_submission_is_one_short_transaction_with_the_counter_last(catalog, citizen, office_a):
    documents = documents_for(citizen)
    dossier_submit(citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM, attachment_ids=documents_for(citizen))
    with CaptureQueriesContext(connection) as queries:
        dossier, created = dossier_submit(
            citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM, attachment_ids=documents, idempotency_key="c1"
        )
    assert created
    sql = [q["sql"] for q in queries.captured_queries]
    # After the counter (which gives the code and adds the rollup counters in the same statement on
    # PostgreSQL): the event, the outbox rows; a birth registration has no fee, so no payment intent. On
    # SQLite (one writer at a time anyway) the code is a statement of its own.
    tail = [s.split(" (")[0] for s in _after_counter(sql) if not s.startswith(("SAVEPOINT", "RELEASE"))]
    assert len(tail) <= (2 if connection.vendor == "postgresql" else 3), tail
    assert len(sql) <= (13 if connection.vendor == "postgresql" else 20), sql
    assert Dossier.objects.get(pk=dossier.pk).code == dossier.code
    assert not dossier.code.startswith("~")


def test_a_fee_dossier_gets_its_intent_with_the_real_code_after_the_counter(
    catalog, citizen, office_a, bank_account, payment_settings
):
    with CaptureQueriesContext(connection) as queries:
        dossier, _ = dossier_submit(citizen=citizen, procedure_code="1.004873", form=MARITAL_FORM, idempotency_key="f1")
    sql = [q["sql"] for q in queries.captured_queries]
    # One INSERT of the intent with its final reference, after the code: no insert-then-rename.
    assert [s for s in sql if "payments_paymentintent" in s and s.startswith("UPDATE")] == []
    assert sum(1 for s in _after_counter(sql) if s.startswith('INSERT INTO "payments_paymentintent"')) == 1
    intent = PaymentIntent.objects.get(dossier=dossier)
    assert intent.reference == reference_for(dossier.code, 1)
    assert intent.amount == dossier.fee_amount > 0


def test_the_submission_request_makes_a_constant_number_of_queries(
    client, catalog, citizen, office_a, bank_account, payment_settings, api_token, django_assert_max_num_queries
):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token(citizen)}"}
    body = json.dumps({"procedure_code": "1.004873", "form": MARITAL_FORM})
    client.post("/api/v1/dossiers", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="warm", **headers)
    with django_assert_max_num_queries(REQUEST_QUERIES if connection.vendor == "postgresql" else REQUEST_QUERIES + 8):
        response = client.post(
            "/api/v1/dossiers", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k2", **headers
        )
    assert response.status_code == 201, response.content
    assert response.json()["receipt_url"] is None  # online: the receipt comes with the completeness check
    # The retry answers with the same dossier and writes nothing.
    with CaptureQueriesContext(connection) as retry:
        again = client.post(
            "/api/v1/dossiers", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k2", **headers
        )
    assert again.status_code == 200 and again.json()["code"] == response.json()["code"]
    assert not [q for q in retry.captured_queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="transactions are counted on PostgreSQL (CI)")
@pytest.mark.django_db(transaction=True)
def test_a_submission_writes_in_one_transaction(catalog, citizen, office_a, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    dossier_submit(citizen=citizen, procedure_code="1.004873", form=MARITAL_FORM, idempotency_key="t0")
    with CaptureQueriesContext(connection) as queries:
        dossier_submit(citizen=citizen, procedure_code="1.004873", form=MARITAL_FORM, idempotency_key="t1")
    sql = [q["sql"] for q in queries.captured_queries]
    begin, commit = sql.index("BEGIN"), sql.index("COMMIT")
    assert sql.count("COMMIT") == 1, sql
    # Nothing is written outside that transaction: the worker's wake-up from the first submission still
    # waits, so this one adds no task row of its own.
    outside = sql[:begin] + sql[commit + 1 :]
    assert not [s for s in outside if s.startswith(("INSERT", "UPDATE", "DELETE"))], outside


def test_the_worker_is_woken_once_while_a_wake_up_waits(db, settings, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    from motcua.notifications.services import queue, wake_worker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def notice(n):
        payload = {"template": "submitted", "source": f"test:{n}", "recipients": [("sms", "0912345678")]}
        with django_capture_on_commit_callbacks(execute=True):
            queue(payload=payload)

    notice(1)
    notice(2)
    assert DBTaskResult.objects.count() == 1  # the second commit's messages go with the waiting wake-up
    DBTaskResult.objects.update(status="RUNNING")  # a worker took it: it may have read the outbox already
    notice(3)
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    # A retry wake-up for later does not stand in for one due now.
    DBTaskResult.objects.update(status="RUNNING")
    wake_worker(run_after=dt.datetime(2099, 1, 1, tzinfo=dt.UTC))
    notice(4)
    assert DBTaskResult.objects.filter(status="READY").count() == 2
