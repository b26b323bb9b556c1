import datetime as dt

import pytest

from motcua.dossiers.services import dossier_submit
from motcua.notifications import services
from motcua.notifications.channels import DeliveryError, SimulatedSmsChannel
from motcua.notifications.models import InAppMessage, OutboxMessage, OutboxStatus, SimulatedSms

from .conftest import BIRTH_FORM, documents_for
from .factories import DossierFactory


@pytest.fixture
def queued(catalog, citizen, office_a, django_capture_on_commit_callbacks, monkeypatch):
    """A submission whose SMS gateway is down."""
    calls = {"n": 0}

    class Down:
        def send(self, message):
            calls["n"] += 1
            raise DeliveryError("gateway timeout")

    real = services.channel_for
    monkeypatch.setattr(services, "channel_for", lambda kind: Down() if kind == "sms" else real(kind))
    with django_capture_on_commit_callbacks(execute=True):
        dossier_submit(
            citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM, attachment_ids=documents_for(citizen)
        )
    return OutboxMessage.objects.get(channel="sms"), calls


def test_failure_backs_off_and_ends_in_the_dead_letter_state(queued):
    message, calls = queued
    assert message.status == OutboxStatus.PENDING and message.attempts == 1 and "gateway timeout" in message.last_error
    first_retry = message.next_attempt_at
    assert services.deliver_due(now=first_retry - dt.timedelta(seconds=1)) == 0  # not yet
    for _ in range(4):
        message.refresh_from_db()
        services.deliver_due(now=message.next_attempt_at)
    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD and message.attempts == services.MAX_ATTEMPTS
    assert calls["n"] == services.MAX_ATTEMPTS
    # Other channels were not held back by the broken gateway: the in-app message was delivered at once.
    assert OutboxMessage.objects.get(channel="inapp").status == OutboxStatus.SENT


def test_backoff_grows(queued):
    message, _ = queued
    gaps = []
    for _ in range(3):
        message.refresh_from_db()
        before = message.next_attempt_at
        services.deliver(message_id=message.pk, now=before)
        message.refresh_from_db()
        gaps.append((message.next_attempt_at - before).total_seconds())
    assert gaps == sorted(gaps) and gaps[0] >= 300


def test_admin_resend_delivers_a_dead_message(queued, monkeypatch, django_capture_on_commit_callbacks):
    message, _ = queued
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.DEAD, attempts=5)
    monkeypatch.setattr(services, "channel_for", lambda kind: SimulatedSmsChannel())
    with django_capture_on_commit_callbacks(execute=True):
        assert services.resend(message_ids=[message.pk]) == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and SimulatedSms.objects.filter(phone="0912345001").exists()


def test_a_replayed_event_does_not_notify_twice(catalog, citizen, office_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = DossierFactory(citizen=citizen, procedure_code="1.001193")
    from motcua.dossiers.services.events import notify_event

    event = dossier.events.get()
    before = OutboxMessage.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_event(dossier=dossier, event=event) == 2  # asked again (SMS, inbox): already queued
    assert OutboxMessage.objects.count() == before
    assert SimulatedSms.objects.count() == 1
    assert InAppMessage.objects.filter(user=citizen).count() == 1


def test_the_notice_is_written_in_the_transaction_of_the_change(catalog, citizen, office_a):
    """Nothing after the commit is needed for the outbox row to exist (no on_commit callback runs here),
    and its body is rendered only by the worker."""
    dossier, _ = dossier_submit(
        citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM, attachment_ids=documents_for(citizen)
    )
    message = OutboxMessage.objects.get(source=f"dossier-event:{dossier.events.get().pk}", channel="sms")
    assert message.status == OutboxStatus.PENDING and message.body == ""
    assert message.payload["template"] == "submitted" and message.payload["values"]["code"] == dossier.code
    assert services.deliver_due() == 2  # the SMS and the inbox copy
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and dossier.code in message.body


def test_a_failed_change_leaves_no_notice(catalog, citizen, office_a, monkeypatch):
    from motcua.dossiers.services import submission

    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(submission, "forms_record", boom)
    with pytest.raises(RuntimeError):
        dossier_submit(
            citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM, attachment_ids=documents_for(citizen)
        )
    assert not OutboxMessage.objects.exists()


def test_email_when_the_citizen_has_one(catalog, citizen, office_a, django_capture_on_commit_callbacks, mailoutbox):
    citizen.citizen.email = "mai@example.vn"
    citizen.citizen.save()
    with django_capture_on_commit_callbacks(execute=True):
        dossier = DossierFactory(citizen=citizen, procedure_code="1.001193")
    assert len(mailoutbox) == 1 and dossier.code in mailoutbox[0].subject
