"""The transactional outbox survives a killed worker (issue 15, point 5). Notices are committed with
the change they report; a delivery process is SIGKILLed while it works through them (one delivery
transaction open, the others still pending); a new process delivers the rest. Every message ends
sent exactly once. PostgreSQL, real processes (`manage.py notifications_deliver --loop` style loop)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from motcua.dossiers.services import dossier_submit
from motcua.notifications.models import OutboxMessage, OutboxStatus, SimulatedSms
from motcua.notifications.services import queue

from .conftest import BIRTH_FORM, documents_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the crash is proven on PostgreSQL (CI)"),
]

# The delivery loop in a child process. SLOW makes each simulated SMS take a while inside its delivery
# transaction, so the kill lands in the middle of one.
WORKER = """
import os, sys, time
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from motcua.notifications import channels
from motcua.notifications.services import deliver_due

slow = float(os.environ.get("SLOW", "0"))
real_send = channels.SimulatedSmsChannel.send

def send(self, message):
    real_send(self, message)
    print("sending", message.pk, flush=True)
    time.sleep(slow)

channels.SimulatedSmsChannel.send = send
while True:
    deliver_due()
    time.sleep(0.05)
"""


def _child(tmp_path: Path, slow: float) -> subprocess.Popen:
    script = tmp_path / "worker.py"
    script.write_text(WORKER.format(root=str(settings.BASE_DIR)), encoding="utf-8")
    db = connection.settings_dict
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SLOW": str(slow),
        "MOTCUA_DEMO": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "test-only-secret"),
        "SMS_BACKEND": "simulator",
    }
    return subprocess.Popen([sys.executable, str(script)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_killed_worker_delivers_every_message_exactly_once_after_restart(
    catalog, citizen, office_a, tmp_path, settings
):
    # No worker in this process: the immediate test backend would deliver on commit.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    dossier, _ = dossier_submit(
        citizen=citizen, procedure_code="1.001193", form=BIRTH_FORM, attachment_ids=documents_for(citizen)
    )
    with transaction.atomic():
        for n in range(24):
            queue(
                payload={
                    "template": "accepted",
                    "source": f"crash-test:{n}",
                    "user": citizen.pk,
                    "recipients": [("sms", f"09123450{n:02d}")],
                    "values": {"code": f"TEST-{n:04d}", "due": "17:00 01/12/2026"},
                }
            )
    # 25 SMS (the dossier's and 24 more) and the dossier's inbox copy, committed with their changes.
    assert OutboxMessage.objects.filter(status=OutboxStatus.PENDING, channel="inapp").count() == 1
    total = OutboxMessage.objects.filter(status=OutboxStatus.PENDING, channel="sms").count()
    assert total == 25  # committed with their changes, none delivered yet

    first = _child(tmp_path, slow=0.3)
    try:
        assert _wait(lambda: SimulatedSms.objects.count() >= 4, timeout=90), first.stderr.read1().decode()
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    sent_before = OutboxMessage.objects.filter(status=OutboxStatus.SENT, channel="sms").count()
    assert 4 <= sent_before < total  # killed part-way: some sent, the rest still pending
    # What the killed process had open was rolled back: sent rows and simulated SMS agree.
    assert SimulatedSms.objects.count() == sent_before

    second = _child(tmp_path, slow=0)
    try:
        done = _wait(lambda: not OutboxMessage.objects.filter(status=OutboxStatus.PENDING).exists(), timeout=120)
        assert done, second.stderr.read1().decode()
    finally:
        second.send_signal(signal.SIGKILL)
        second.wait(timeout=30)
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT, channel="sms").count() == total
    texts = list(SimulatedSms.objects.values_list("text", flat=True))
    assert len(texts) == total and len(set(texts)) == total  # each message once
    assert any(dossier.code in text for text in texts)
    assert all(m.attempts == 1 for m in OutboxMessage.objects.all())
