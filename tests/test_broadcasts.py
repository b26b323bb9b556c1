"""Issue 19, point 5: broadcasts to villages — a commune leader's message goes to the chosen villages' Zalo
groups and by SMS (without diacritics, at most two segments) to their subscribers, exactly once even when
the sending job runs twice at the same time; ordinary broadcasts are limited per village per day (urgent
ones exempt but flagged); citizens subscribe by page or by keyword SMS."""

import datetime as dt
import math
import threading
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from motcua.accounts.models import Role
from motcua.broadcasts import services
from motcua.broadcasts.models import Broadcast, Delivery, SimulatedZaloPost, Subscription, ZaloGroup
from motcua.broadcasts.sms_text import GSM7, GSM7_EXTENSION, is_gsm7, segments, septets, to_gsm7
from motcua.core.errors import NotFound, RateLimited, ValidationFailed
from motcua.notifications.models import SimulatedSms
from motcua.places.models import UnitType

from .conftest import make_unit

NOW = timezone.make_aware(dt.datetime(2026, 11, 30, 9, 0))


@pytest.fixture
def villages(commune_a, village_a):
    v2 = make_unit("02839-02", "Thôn Bản Phố", UnitType.VILLAGE, commune_a)
    v3 = make_unit("02839-03", "Thôn Thải Giàng Phố", UnitType.VILLAGE, commune_a)
    for n, village in enumerate([village_a, v2, v3], start=1):
        ZaloGroup.objects.create(village=village, group_id=f"zg-{n}", name=f"Nhóm Zalo {village.name}")
    return [village_a, v2, v3]


@pytest.fixture
def subscribers(villages):
    v1, v2, v3 = villages
    for village, phone in [
        (v1, "0912000001"),
        (v1, "0912000002"),
        (v2, "0912000002"),  # subscribed to both chosen villages: one SMS
        (v2, "0912000003"),
        (v3, "0912000004"),  # village not chosen
    ]:
        services.subscription_set(village=village, phone=phone, active=True)
    services.subscription_set(village=v1, phone="0912000005", active=False)  # unsubscribed
    return villages


@pytest.fixture
def leader(make_officer, commune_a, settings):
    settings.OFFICER_TOTP_REQUIRED = False
    return make_officer("lanhdao", Role.LEADER, commune_a)


def _create(leader, commune, villages, **extra):
    values = dict(urgency="ordinary", text="Họp thôn lúc 19:00 tối nay tại nhà văn hoá.", now=NOW)
    values.update(extra)
    return services.broadcast_create(sender=leader, commune=commune, village_ids=[v.pk for v in villages], **values)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency is proven on PostgreSQL (CI)")
def test_a_broadcast_to_two_villages_reaches_exactly_their_subscribers_once_with_two_concurrent_runs(
    subscribers, leader, commune_a, settings, monkeypatch
):
    from motcua.notifications import channels

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # no job yet
    v1, v2, _v3 = subscribers
    broadcast = _create(leader, commune_a, [v1, v2], urgency="urgent", text="Bão số 3: sơ tán khỏi bờ suối ngay.")
    assert not Delivery.objects.exists()
    real_send = channels.SimulatedSmsChannel.send

    def slow_send(self, message):  # slow enough that the two runs overlap
        time.sleep(0.05)
        return real_send(self, message)

    monkeypatch.setattr(channels.SimulatedSmsChannel, "send", slow_send)
    barrier = threading.Barrier(2)
    errors = []

    def run(_):
        try:
            barrier.wait(timeout=30)
            return services.broadcast_send(broadcast_id=broadcast.pk)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = [r for r in pool.map(run, range(2)) if r is not None]
    assert errors == []
    assert sum(r["sent"] for r in results) == 5  # 3 phones + 2 Zalo groups, shared between the runs
    phones = sorted(SimulatedSms.objects.values_list("phone", flat=True))
    assert phones == ["0912000001", "0912000002", "0912000003"]
    assert all(
        text == "Bao so 3: so tan khoi bo suoi ngay." for text in SimulatedSms.objects.values_list("text", flat=True)
    )
    posts = sorted(SimulatedZaloPost.objects.values_list("group_id", flat=True))
    assert posts == ["zg-1", "zg-2"]
    assert SimulatedZaloPost.objects.filter(text__contains="Bão số 3").count() == 2  # Zalo keeps diacritics
    broadcast.refresh_from_db()
    assert broadcast.status == "sent"
    # A third run (the job retried) sends nothing more.
    assert services.broadcast_send(broadcast_id=broadcast.pk) == {"sent": 0, "failed": 0}
    assert SimulatedSms.objects.count() == 3 and SimulatedZaloPost.objects.count() == 2


def test_the_job_runs_after_the_commit_and_figures_count_per_channel(
    subscribers, leader, commune_a, django_capture_on_commit_callbacks
):
    from motcua.broadcasts.selectors import delivery_figures, village_figures

    v1, v2, _v3 = subscribers
    with django_capture_on_commit_callbacks(execute=True):
        broadcast = _create(leader, commune_a, [v1, v2])
    figures = delivery_figures(broadcast_ids=[broadcast.pk])[broadcast.pk]
    assert figures["sms"] == {"sent": 3, "failed": 0, "pending": 0, "total": 3}
    assert figures["zalo"]["sent"] == 2
    per_village = {row["village"].code: row for row in village_figures(broadcast=broadcast)}
    # The phone subscribed to both villages is counted once, under the first village planned.
    assert per_village["02839-01"]["sms_sent"] + per_village["02839-02"]["sms_sent"] == 3
    assert per_village["02839-01"]["zalo"] == "sent"


def test_a_failing_channel_is_retried_then_marked_failed(subscribers, leader, commune_a, settings, monkeypatch):
    from motcua.broadcasts import channels

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

    class Down:
        def send(self, recipient, text, name=""):
            raise channels.DeliveryError("Zalo is down")

    real = services.adapter_for
    monkeypatch.setattr(services, "adapter_for", lambda c: Down() if c == "zalo" else real(c))
    v1, _v2, _v3 = subscribers
    broadcast = _create(leader, commune_a, [v1])
    for _ in range(services.MAX_ATTEMPTS):
        services.broadcast_send(broadcast_id=broadcast.pk)
    zalo = Delivery.objects.get(channel="zalo")
    assert zalo.status == "failed" and zalo.attempts == services.MAX_ATTEMPTS and "down" in zalo.last_error
    assert Delivery.objects.filter(channel="sms", status="sent").count() == 2
    broadcast.refresh_from_db()
    assert broadcast.status == "sent"


def test_ordinary_broadcasts_are_limited_per_village_per_day_urgent_ones_are_not(
    villages, leader, commune_a, settings, caplog
):
    settings.BROADCAST_ORDINARY_PER_VILLAGE_PER_DAY = 2
    v1, v2, _v3 = villages
    _create(leader, commune_a, [v1])
    _create(leader, commune_a, [v1, v2], now=NOW + dt.timedelta(hours=1))
    with pytest.raises(RateLimited) as exc:
        _create(leader, commune_a, [v2, v1], now=NOW + dt.timedelta(hours=2))
    assert exc.value.code == "broadcast_limit" and "Thôn Na Hối" in exc.value.message
    urgent = _create(leader, commune_a, [v1], urgency="urgent", now=NOW + dt.timedelta(hours=3))
    assert urgent.over_limit is True and "beyond the daily limit" in caplog.text
    assert _create(leader, commune_a, [v2], now=NOW + dt.timedelta(hours=3)).over_limit is False
    # A new local day starts a new count (00:30 on 1 December in Hà Nội time).
    tomorrow = timezone.make_aware(dt.datetime(2026, 12, 1, 0, 30))
    assert _create(leader, commune_a, [v1], now=tomorrow).pk


def test_only_a_leader_of_the_commune_broadcasts_to_its_own_villages(
    villages, leader, commune_a, commune_b, make_officer
):
    other_village = make_unit("03037-01", "Thôn Tả Van Giáy", UnitType.VILLAGE, commune_b)
    with pytest.raises(ValidationFailed) as exc:
        _create(leader, commune_a, [villages[0], other_village])
    assert set(exc.value.fields) == {"villages"}
    intake = make_officer("tiepnhan", Role.INTAKE_OFFICER, commune_a)
    with pytest.raises(NotFound):
        _create(intake, commune_a, villages[:1])
    with pytest.raises(NotFound):
        _create(leader, commune_b, [other_village])
    assert not Broadcast.objects.exists()


def test_sms_copy_is_without_diacritics_and_at_most_two_segments(villages, leader, commune_a):
    long_text = "Thông báo lịch tiêm chủng cho trẻ em dưới 5 tuổi tại trạm y tế xã. " * 6  # ~400 characters
    with pytest.raises(ValidationFailed) as exc:
        _create(leader, commune_a, villages[:1], text=long_text)
    assert exc.value.code == "sms_too_long" and "3 phần" in exc.value.fields["sms_text"][0]
    broadcast = _create(
        leader, commune_a, villages[:1], text=long_text, sms_text="Tiêm chủng trẻ dưới 5 tuổi: thứ Bảy, trạm y tế xã."
    )
    assert broadcast.sms_text == "Tiem chung tre duoi 5 tuoi: thu Bay, tram y te xa." and broadcast.sms_segments == 1
    assert broadcast.text == long_text.strip()
    preview = services.sms_preview("Đường đèo Đá Đỏ sạt lở")
    assert preview == {"text": "Duong deo Da Do sat lo", "length": 22, "segments": 1, "too_long": False}


def test_keyword_sms_subscribes_and_unsubscribes_and_answers(villages, django_capture_on_commit_callbacks):
    v1 = villages[0]
    with django_capture_on_commit_callbacks(execute=True):
        answer = services.inbound_sms(phone="+84 912 000 009", text="dk 02839-01")
    assert answer["result"] == "subscribed" and is_gsm7(answer["reply"]) and "Na Hoi" in answer["reply"]
    assert Subscription.objects.get(village=v1, phone="0912000009").active is True
    assert SimulatedSms.objects.get(phone="0912000009").text == answer["reply"]
    # By the village's name, without diacritics or spaces; and HUY unsubscribes.
    assert services.inbound_sms(phone="0912000009", text="HUY thon na hoi")["result"] == "unsubscribed"
    assert Subscription.objects.get(village=v1, phone="0912000009").active is False
    assert services.inbound_sms(phone="0912000009", text="DK Bản Phố")["result"] == "subscribed"
    assert services.inbound_sms(phone="0912000009", text="DK 99999-01")["result"] == "unknown_village"
    assert services.inbound_sms(phone="0912000009", text="xin chao")["result"] == "not_understood"
    assert services.inbound_sms(phone="12", text="DK 02839-01")["result"] == "bad_phone"


# --- the SMS text converter and the segment counter (Hypothesis) ------------------------------------------
VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
TEXT = st.text(
    alphabet=st.sampled_from(VIETNAMESE + VIETNAMESE.upper() + " ,.!?:;-–—“”‘’…\n\t0123456789€[]{}日😀\u200b\u00a0"),
    max_size=400,
) | st.text(max_size=200)


@hsettings(max_examples=300, deadline=None)
@given(TEXT)
def test_the_stripper_outputs_gsm7_only_without_diacritics(text):
    out = to_gsm7(text)
    assert all(ch in GSM7 for ch in out)
    assert to_gsm7(out) == out  # idempotent
    # No Vietnamese letter keeps a mark (đ → d), and nothing GSM-7 could carry with an accent (à, é) either.
    marked = {ch for ch in VIETNAMESE + VIETNAMESE.upper() if not ch.isascii()} | set("àèéìòùÇÉäöñüÄÖÑÜÅå")
    assert not set(out) & marked
    assert not any(unicodedata.combining(ch) for ch in unicodedata.normalize("NFD", out))
    # ASCII letters and digits of the input survive, in order.
    rest = iter(out)
    assert all(ch in rest for ch in text if ch.isascii() and ch.isalnum())


@hsettings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(sorted(GSM7)), max_size=700))
def test_segment_counter_for_gsm7(text):
    n = septets(text)
    count = segments(text)
    if not text:
        assert count == 0
    elif n <= 160:
        assert count == 1
    else:
        # Parts of 153 septets; an extension character's two septets never straddle two parts.
        assert math.ceil(n / 153) <= count <= math.ceil(n / 152)
        if not any(ch in GSM7_EXTENSION for ch in text):
            assert count == math.ceil(n / 153)
    assert segments(text + "a") >= count  # adding a character never lowers the cost


def test_segment_counter_boundaries():
    assert [segments("a" * n) for n in (0, 1, 160, 161, 306, 307, 459, 460)] == [0, 1, 1, 2, 2, 3, 3, 4]
    assert segments("€" * 80) == 1 and segments("€" * 81) == 2  # two septets each
    assert segments("a" * 152 + "€") == 1 and segments("a" * 159 + "€") == 2
    assert segments("Bão") == 1 and segments("ă" * 70) == 1 and segments("ă" * 71) == 2  # UCS-2: 70 / 67
    assert segments("ă" * 134) == 2 and segments("ă" * 135) == 3


# --- pages and the inbound endpoint ----------------------------------------------------------------------
def test_leader_previews_sends_and_reads_the_figures(
    client, subscribers, leader, commune_a, django_capture_on_commit_callbacks
):
    v1, v2, _v3 = subscribers
    client.force_login(leader)
    form = client.get("/can-bo/phat-tin/moi").content.decode()
    assert "Thôn Na Hối" in form and "2 số đăng ký" in form
    long_text = "Thông báo lịch tiêm chủng cho trẻ em dưới 5 tuổi tại trạm y tế xã. " * 6
    preview = client.post(
        "/can-bo/phat-tin/moi", {"action": "preview", "villages": [v1.pk], "urgency": "ordinary", "text": long_text}
    ).content.decode()
    assert 'data-testid="sms-warning"' in preview and "Thong bao lich tiem chung" in preview
    refused = client.post(
        "/can-bo/phat-tin/moi", {"action": "send", "villages": [v1.pk], "urgency": "ordinary", "text": long_text}
    )
    assert refused.status_code == 400 and 'data-error-code="sms_too_long"' in refused.content.decode()
    assert not Broadcast.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            "/can-bo/phat-tin/moi",
            {
                "action": "send",
                "villages": [v1.pk, v2.pk],
                "urgency": "urgent",
                "text": "Lũ trên suối Nậm Mòn, không qua ngầm.",
            },
        )
    broadcast = Broadcast.objects.get()
    assert sent.status_code == 302 and sent.url == f"/can-bo/phat-tin/{broadcast.pk}"
    detail = client.get(sent.url).content.decode()  # the job ran after the commit (immediate backend)
    assert 'data-testid="sms-sent">3<' in detail and 'data-testid="zalo-sent">2<' in detail
    assert "Lu tren suoi Nam Mon, khong qua ngam." in detail
    listing = client.get("/can-bo/phat-tin").content.decode()
    assert "3/3" in listing and "2/2" in listing


def test_pages_are_closed_to_others(client, villages, leader, commune_a, make_officer, citizen):
    broadcast = _create(leader, commune_a, villages[:1])
    intake = make_officer("tiepnhan", Role.INTAKE_OFFICER, commune_a)
    client.force_login(intake)
    assert client.get("/can-bo/phat-tin/moi").status_code == 404  # not a leader
    assert client.get(f"/can-bo/phat-tin/{broadcast.pk}").status_code == 200  # an officer of the commune reads it
    other = make_officer(
        "tiepnhan2", Role.INTAKE_OFFICER, make_unit("03037", "Xã Tả Van", UnitType.COMMUNE, commune_a.parent)
    )
    client.force_login(other)
    assert client.get(f"/can-bo/phat-tin/{broadcast.pk}").status_code == 404
    client.force_login(citizen)
    assert client.get("/can-bo/phat-tin").status_code == 404


def test_a_citizen_ticks_villages_for_their_own_phone(client, villages, citizen):
    v1, v2, v3 = villages
    client.force_login(citizen)
    page = client.get("/nhan-tin-thon").content.decode()  # their home commune (address: Thôn Na Hối)
    assert "DK 02839-02" in page and "0912345001" in page
    assert client.post("/nhan-tin-thon", {"xa": "02839", "villages": [v1.pk, v3.pk]}).status_code == 302
    assert set(Subscription.objects.filter(phone="0912345001", active=True).values_list("village", flat=True)) == {
        v1.pk,
        v3.pk,
    }
    client.post("/nhan-tin-thon", {"xa": "02839", "villages": [v2.pk]})
    assert set(Subscription.objects.filter(phone="0912345001", active=True).values_list("village", flat=True)) == {
        v2.pk
    }
    client.logout()
    anonymous = client.get("/nhan-tin-thon?xa=02839").content.decode()
    assert "HUY 02839-03" in anonymous and 'name="villages"' not in anonymous
    assert client.post("/nhan-tin-thon", {"xa": "02839", "villages": [v1.pk]}).status_code == 404


def test_inbound_endpoint_needs_the_gateway_token(client, villages, settings):
    body = {"from": "0912000010", "text": "DK 02839-01"}
    settings.SMS_INBOUND_TOKEN = ""
    assert client.post("/api/v1/sms/inbound", body, content_type="application/json").status_code == 404
    settings.SMS_INBOUND_TOKEN = "s3cret"
    wrong = client.post("/api/v1/sms/inbound", body, content_type="application/json", HTTP_X_GATEWAY_TOKEN="nope")
    assert wrong.status_code == 404 and wrong.json()["code"] == "not_found"
    ok = client.post("/api/v1/sms/inbound", body, content_type="application/json", HTTP_X_GATEWAY_TOKEN="s3cret")
    assert ok.status_code == 200 and ok.json()["result"] == "subscribed"
    assert Subscription.objects.get(phone="0912000010").source == "sms"


def test_demo_inbox_shows_zalo_posts_and_the_inbound_simulator_works(
    client, subscribers, leader, commune_a, settings, django_capture_on_commit_callbacks
):
    settings.DEMO = True
    with django_capture_on_commit_callbacks(execute=True):
        _create(leader, commune_a, subscribers[:1], urgency="urgent", text="Bão sắp đổ bộ, chằng chống nhà cửa.")
    inbox = client.get("/gia-lap/hop-thu").content.decode()
    assert "Zalo → Nhóm Zalo Thôn Na Hối" in inbox and "[KHẨN CẤP] Bão sắp đổ bộ" in inbox
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post("/gia-lap/tin-nhan-den", {"phone": "0912000011", "text": "DK 02839-02"})
    assert 'data-result="subscribed"' in page.content.decode()
    assert "Da dang ky nhan tin Thon Ban Pho" in client.get("/gia-lap/hop-thu?to=0912000011").content.decode()
    settings.DEMO = False
    assert client.get("/gia-lap/tin-nhan-den").status_code == 404


def test_demo_data_is_idempotent(villages, citizen):
    from motcua.broadcasts.demo import seed_broadcasts

    ZaloGroup.objects.all().delete()
    first = seed_broadcasts()
    assert first == 4  # three Zalo groups and the citizen's phone on their village
    assert Subscription.objects.get(phone="0912345001").village == villages[0]
    assert seed_broadcasts() == 0 and ZaloGroup.objects.count() == 3


def test_a_double_click_sends_one_broadcast(villages, leader, commune_a):
    """The same text to the same villages by the same leader a moment apart is one broadcast (one send)."""
    first = _create(leader, commune_a, villages[:2], urgency="urgent")
    again = _create(leader, commune_a, list(reversed(villages[:2])), urgency="urgent")
    assert again.pk == first.pk and Broadcast.objects.count() == 1
    other = _create(leader, commune_a, villages[:1], urgency="urgent")
    assert other.pk != first.pk and Broadcast.objects.count() == 2


@pytest.mark.parametrize("bad", ["99999999999999999999", str(2**63), "-1", "0", "abc", "1e9", "", None])
def test_an_impossible_village_id_is_a_field_error_not_a_crash(villages, leader, commune_a, bad):
    with pytest.raises(ValidationFailed) as exc:
        services.broadcast_create(
            sender=leader,
            commune=commune_a,
            village_ids=[villages[0].pk, bad],
            urgency="ordinary",
            text="Họp thôn",
            now=NOW,
        )
    assert set(exc.value.fields) == {"villages"}
    assert not Broadcast.objects.exists()
