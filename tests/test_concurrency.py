"""Concurrency on PostgreSQL with real threads: idempotent submissions, gap-free codes, optimistic
locking. SQLite serialises writers by design (one writer at a time), so these run on PostgreSQL, which
CI uses (.ci/run)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from motcua.core.errors import Conflict
from motcua.dossiers.models import Dossier, DossierCounter, DossierEvent
from motcua.dossiers.services import dossier_submit, dossier_transition

from .conftest import BIRTH_FORM, documents_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency is proven on PostgreSQL (CI)"),
]


def run_concurrently(n, workers, fn):
    barrier = threading.Barrier(min(n, workers))
    results, errors = [], []

    def task(i):
        try:
            if i < workers:
                barrier.wait(timeout=30)
            results.append(fn(i))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(task, range(n)))
    return results, errors


def test_twenty_concurrent_retries_with_one_key_make_one_dossier(catalog, citizen, office_a):
    documents = documents_for(citizen)  # a retry is the same request: the same body, the same attachments
    results, errors = run_concurrently(
        20,
        20,
        lambda i: dossier_submit(
            citizen=citizen,
            procedure_code="1.001193",
            form=BIRTH_FORM,
            attachment_ids=documents,
            idempotency_key="same-key",
        ),
    )
    assert errors == []
    assert len({d.pk for d, _created in results}) == 1
    assert sum(1 for _d, created in results if created) == 1
    assert Dossier.objects.count() == 1
    assert DossierCounter.objects.get().last == 1
    assert DossierEvent.objects.count() == 1


def test_two_hundred_concurrent_submissions_get_unique_consecutive_codes(catalog, citizen, office_a, settings):
    settings.UPLOAD_QUOTA_FILES = 1000  # one citizen uploads 200 documents here; the quota is not under test
    results, errors = run_concurrently(
        200,
        40,
        lambda i: dossier_submit(
            citizen=citizen,
            procedure_code="1.001193",
            form=BIRTH_FORM,
            attachment_ids=documents_for(citizen),
            idempotency_key=f"k-{i}",
        ),
    )
    assert errors == []
    codes = sorted(d.code for d, _ in results)
    assert len(set(codes)) == 200
    day = codes[0].split("-")[1]
    assert codes == [f"H15.02839-{day}-{n:04d}" for n in range(1, 201)]
    assert DossierCounter.objects.get().last == 200


def test_two_officers_on_the_same_version_one_wins(catalog, citizen, office_a, make_officer, commune_a, settings):
    settings.OFFICER_TOTP_REQUIRED = False
    first = make_officer("tiepnhan", "intake_officer", commune_a)
    second = make_officer("tiepnhan3", "intake_officer", commune_a)
    dossier, _ = dossier_submit(
        citizen=citizen,
        procedure_code="1.001193",
        form=BIRTH_FORM,
        attachment_ids=documents_for(citizen),
        idempotency_key="x",
    )
    officers = [first, second]
    results, errors = run_concurrently(
        2,
        2,
        lambda i: dossier_transition(
            code=dossier.code,
            action="accept" if i == 0 else "refuse",
            actor=officers[i],
            version=1,
            note="" if i == 0 else "Không đủ điều kiện",
        ),
    )
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], Conflict)
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert fresh.version == 2 and fresh.status in ("received", "refused")
    assert DossierEvent.objects.filter(dossier=fresh).count() == 2


def test_twenty_concurrent_confirmations_of_one_code_make_one_account(db, django_capture_on_commit_callbacks):
    """Issue 16: the code is claimed by a conditional UPDATE in the transaction that creates the account."""
    import re

    from motcua.accounts.models import Consent, OneTimeCode, User
    from motcua.accounts.otp import OtpInvalid
    from motcua.accounts.registration import register_confirm, register_start
    from motcua.notifications.models import SimulatedSms

    with django_capture_on_commit_callbacks(execute=True):
        vid = register_start(
            phone="0988777666",
            full_name="Hoàng Văn Sơn",
            citizen_id="010095001234",
            birth_date="1995-04-02",
            gender="male",
            password="song-suoi-2026",
            consent=True,
        )
    code = re.search(r"\b(\d{6})\b", SimulatedSms.objects.get(phone="0988777666").text).group(1)
    results, errors = run_concurrently(
        20, 20, lambda i: register_confirm(verification_id=vid, code=code, ip_address=f"10.0.0.{i}")
    )
    assert len(results) == 1, errors
    # The others are told the code is used (or, past the five tries the race took, void).
    assert len(errors) == 19 and all(isinstance(e, OtpInvalid) and e.code in ("otp_used", "otp_void") for e in errors)
    assert User.objects.filter(phone="0988777666").count() == 1
    assert Consent.objects.count() == 1
    row = OneTimeCode.objects.get(pk=vid)
    assert row.used_at is not None and row.attempts <= 5


def test_twenty_parallel_wrong_guesses_get_five_tries_in_all(db, django_capture_on_commit_callbacks):
    """Each try takes one of the code's five tries with a conditional UPDATE before comparing."""
    import re

    from motcua.accounts.models import OneTimeCode
    from motcua.accounts.otp import OtpInvalid, otp_confirm, otp_issue
    from motcua.notifications.models import SimulatedSms

    with django_capture_on_commit_callbacks(execute=True):
        vid = otp_issue(purpose="register", phone="0988777666", payload={"x": 1})
    code = re.search(r"\b(\d{6})\b", SimulatedSms.objects.get(phone="0988777666").text).group(1)
    wrong = [f"{(int(code) + i) % 10**6:06d}" for i in range(1, 21)]
    results, errors = run_concurrently(
        20, 20, lambda i: otp_confirm(verification_id=vid, code=wrong[i], ip_address=f"10.0.1.{i}")
    )
    assert results == [] and len(errors) == 20 and all(isinstance(e, OtpInvalid) for e in errors)
    assert OneTimeCode.objects.get(pk=vid).attempts == 5
    try:
        otp_confirm(verification_id=vid, code=code)
    except OtpInvalid as exc:
        assert exc.code == "otp_void"
    else:
        raise AssertionError("the right code worked after five wrong tries")
