"""Issue 19, point 2: the hotline log — duty officers record calls scoped to their units, callers' numbers
are masked after 90 days (idempotently), a roster says who answers each day and night, a call becomes an
assisted dossier in one step, and the figures count calls per day and per topic."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from motcua.core.errors import NotAllowed, NotFound, ValidationFailed
from motcua.dossiers.models import Channel
from motcua.hotline import selectors, services
from motcua.hotline.models import Call, Shift

from .test_concurrency import run_concurrently

NOW = timezone.make_aware(dt.datetime(2026, 11, 30, 10, 0))


@pytest.fixture
def officers(staff, settings):
    settings.OFFICER_TOTP_REQUIRED = False
    return staff


def _call(officer, unit, **extra):
    values = dict(
        caller_phone="0912 345 678",
        topic="procedure",
        summary="Hỏi giấy tờ đăng ký khai sinh",
        outcome="answered",
        now=NOW,
    )
    values.update(extra)
    return services.call_record(officer=officer, unit=unit, **values)


def test_a_duty_officer_records_a_call_and_bad_input_names_its_field(officers, commune_a, catalog):
    call = _call(officers["tiepnhan"], commune_a, procedure_code="1.001193", caller_name="Lò Văn Páo")
    assert (call.caller_phone, call.procedure.code, call.received_at) == ("0912345678", "1.001193", NOW)
    with pytest.raises(ValidationFailed) as exc:
        _call(officers["tiepnhan"], commune_a, caller_phone="12", topic="weather", outcome="follow_up", summary="")
    assert set(exc.value.fields) == {"caller_phone", "topic", "summary", "follow_up"}
    with pytest.raises(ValidationFailed) as exc:
        _call(officers["tiepnhan"], commune_a, received_at=NOW + dt.timedelta(hours=1))
    assert set(exc.value.fields) == {"received_at"}
    # "feedback" and "assisted" are set by the conversions, not typed in.
    with pytest.raises(ValidationFailed):
        _call(officers["tiepnhan"], commune_a, outcome="assisted")


def test_calls_are_scoped_to_the_units_an_officer_serves(officers, commune_a, commune_b, citizen, client):
    call = _call(officers["tiepnhan"], commune_a)
    with pytest.raises(NotFound):
        _call(officers["tiepnhan2"], commune_a)  # commune B's officer is not on commune A's hotline
    with pytest.raises(NotFound):
        _call(citizen, commune_a)
    assert list(Call.objects.visible_to(officers["lanhdao"])) == [call]
    assert not Call.objects.visible_to(officers["tiepnhan2"]).exists()
    assert not Call.objects.visible_to(citizen).exists()
    client.force_login(officers["tiepnhan2"])
    assert client.get(f"/can-bo/duong-day-nong/{call.pk}").status_code == 404
    assert client.get("/can-bo/duong-day-nong?dia-ban=02839").status_code == 404
    client.force_login(citizen)
    assert client.get("/can-bo/duong-day-nong").status_code == 404


def test_caller_numbers_are_masked_after_90_days_once(officers, commune_a):
    old = _call(officers["tiepnhan"], commune_a, received_at=NOW - dt.timedelta(days=89))
    recent = _call(officers["tiepnhan"], commune_a, received_at=NOW - dt.timedelta(days=1))
    later = NOW + dt.timedelta(days=2)  # `old` is now 91 days back, `recent` 3
    assert services.calls_mask_expired(now=later) == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.caller_phone == "091****678" and old.phone_masked_at == later
    assert recent.caller_phone == "0912345678" and recent.phone_masked_at is None
    # Idempotent: a second run (or a second machine) changes nothing.
    assert services.calls_mask_expired(now=later + dt.timedelta(minutes=1)) == 0
    old.refresh_from_db()
    assert old.caller_phone == "091****678" and old.phone_masked_at == later


def test_the_periodic_job_masks_too(officers, commune_a):
    from motcua.core.periodic import periodic_jobs
    from motcua.hotline.tasks import mask_expired_phones

    assert "hotline.mask_phones" in {job.name for job in periodic_jobs()}
    call = _call(officers["tiepnhan"], commune_a, received_at=timezone.now() - dt.timedelta(days=89, hours=23))
    Call.objects.filter(pk=call.pk).update(received_at=timezone.now() - dt.timedelta(days=91))
    mask_expired_phones.call()
    call.refresh_from_db()
    assert call.caller_phone == "091****678"


def test_the_roster_says_who_answers_day_and_night(officers, commune_a, commune_b):
    day = dt.date(2026, 11, 30)
    leader = officers["lanhdao"]
    services.shift_assign(manager=leader, unit=commune_a, date=day, shift=Shift.DAY, officer=officers["tiepnhan"])
    services.shift_assign(manager=leader, unit=commune_a, date=day, shift=Shift.NIGHT, officer=officers["chuyenvien"])
    at = lambda h, d=day: timezone.make_aware(dt.datetime.combine(d, dt.time(h)))  # noqa: E731
    assert selectors.on_duty(unit=commune_a, moment=at(8)).officer == officers["tiepnhan"]
    assert selectors.on_duty(unit=commune_a, moment=at(22)).officer == officers["chuyenvien"]
    # 03:00 the next morning still belongs to the night shift that began on the 30th.
    assert selectors.on_duty(unit=commune_a, moment=at(3, day + dt.timedelta(days=1))).officer == officers["chuyenvien"]
    assert selectors.on_duty(unit=commune_a, moment=at(8, day + dt.timedelta(days=1))) is None
    # Reassigning replaces; only leaders/admins keep the roster; the officer must serve the unit.
    services.shift_assign(manager=leader, unit=commune_a, date=day, shift=Shift.DAY, officer=leader)
    assert selectors.on_duty(unit=commune_a, moment=at(8)).officer == leader
    with pytest.raises(NotFound):
        services.shift_assign(
            manager=officers["tiepnhan"], unit=commune_a, date=day, shift=Shift.DAY, officer=officers["tiepnhan"]
        )
    with pytest.raises(ValidationFailed) as exc:
        services.shift_assign(manager=leader, unit=commune_a, date=day, shift=Shift.DAY, officer=officers["tiepnhan2"])
    assert set(exc.value.fields) == {"officer"}
    rows = selectors.roster_for(unit=commune_a, start=day, days=2)
    assert rows[0]["night"].officer == officers["chuyenvien"] and rows[1]["day"] is None


def test_figures_count_calls_per_local_day_and_per_topic(officers, commune_a):
    officer = officers["tiepnhan"]
    local = lambda d, h: timezone.make_aware(dt.datetime(2026, 11, d, h))  # noqa: E731
    for moment, topic in [
        (local(28, 0), "procedure"),  # 00:xx local is still the 28th (17:xx UTC on the 27th)
        (local(28, 23), "dossier"),
        (local(29, 9), "procedure"),
        (local(30, 9), "emergency"),
    ]:
        _call(officer, commune_a, received_at=moment, topic=topic)
    per_day = selectors.calls_per_day(user=officer, start=dt.date(2026, 11, 27), end=dt.date(2026, 11, 30))
    assert [d["count"] for d in per_day] == [0, 2, 1, 1]
    per_topic = {
        t["topic"]: t["count"]
        for t in selectors.calls_per_topic(user=officer, start=dt.date(2026, 11, 28), end=dt.date(2026, 11, 29))
    }
    assert per_topic["procedure"] == 2 and per_topic["dossier"] == 1 and per_topic["emergency"] == 0
    assert selectors.calls_per_day(
        user=officers["tiepnhan2"], start=dt.date(2026, 11, 28), end=dt.date(2026, 11, 28)
    ) == [{"date": dt.date(2026, 11, 28), "count": 0}]


def test_a_call_becomes_an_assisted_dossier_in_one_step(officers, commune_a, catalog, citizen, office_a):
    call = _call(officers["tiepnhan"], commune_a, procedure_code="1.001193", caller_phone=citizen.citizen.phone)
    draft = services.call_to_assisted(
        officer=officers["tiepnhan"], call_id=call.pk, citizen_id=citizen.citizen.citizen_id
    )
    assert draft.citizen == citizen and draft.channel == Channel.ASSISTED and draft.helper == officers["tiepnhan"]
    call.refresh_from_db()
    assert call.dossier == draft and call.outcome == "assisted"
    with pytest.raises(NotAllowed) as exc:
        services.call_to_assisted(officer=officers["tiepnhan"], call_id=call.pk, citizen_id=citizen.citizen.citizen_id)
    assert exc.value.code == "already_converted"
    # No procedure on the call: it says so; a specialist is not an intake officer and cannot assist.
    bare = _call(officers["tiepnhan"], commune_a)
    with pytest.raises(ValidationFailed) as exc:
        services.call_to_assisted(officer=officers["tiepnhan"], call_id=bare.pk, citizen_id="010190012345")
    assert set(exc.value.fields) == {"procedure"}
    with pytest.raises(NotAllowed) as exc:
        services.call_to_assisted(officer=officers["chuyenvien"], call_id=bare.pk, citizen_id="010190012345")
    assert exc.value.code == "not_an_intake_officer"


def test_pages_record_show_and_roster(client, officers, commune_a, catalog, office_a):
    client.force_login(officers["lanhdao"])
    bad = client.post("/can-bo/duong-day-nong/ghi", {"caller_phone": "abc", "summary": "Hỏi lịch tiếp dân"})
    page = bad.content.decode()
    assert bad.status_code == 400 and "<title>Lỗi: " in page and 'href="#caller_phone"' in page
    assert 'value="Hỏi lịch tiếp dân"' not in page and "Hỏi lịch tiếp dân" in page  # kept in the textarea
    # An hour ago, to the minute (the page takes "HH:MM" and "dd/mm/yyyy" in local time).
    earlier = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(hours=1)
    ok = client.post(
        "/can-bo/duong-day-nong/ghi",
        {
            "caller_phone": "+84 912 000 111",
            "topic": "dossier",
            "summary": "Hỏi hồ sơ khai sinh đã xong chưa",
            "outcome": "follow_up",
            "follow_up": "Gọi lại khi có kết quả",
            "received_time": earlier.strftime("%H:%M"),
            "received_date": earlier.strftime("%d/%m/%Y"),
        },
    )
    call = Call.objects.get()
    assert ok.status_code == 302 and ok.url == f"/can-bo/duong-day-nong/{call.pk}"
    assert call.caller_phone == "0912000111" and timezone.localtime(call.received_at) == earlier
    home = client.get("/can-bo/duong-day-nong").content.decode()
    assert "0912000111" in home and 'data-testid="calls-per-day"' in home and "0912 000 101" in home
    detail = client.get(f"/can-bo/duong-day-nong/{call.pk}").content.decode()
    assert "Gọi lại khi có kết quả" in detail
    day = timezone.localdate().strftime("%d/%m/%Y")
    assigned = client.post(
        "/can-bo/duong-day-nong/lich-truc/phan-cong",
        {"dia-ban": "02839", "date": day, "shift": "day", "officer": officers["tiepnhan"].pk},
    )
    assert assigned.status_code == 302
    roster = client.get(assigned.url).content.decode()
    assert officers["tiepnhan"].display_name in roster
    refused = client.post(
        "/can-bo/duong-day-nong/lich-truc/phan-cong",
        {"dia-ban": "02839", "date": day, "shift": "day", "officer": officers["tiepnhan2"].pk},
    )
    assert refused.status_code == 400 and 'href="#officer"' in refused.content.decode()
    # An intake officer does not keep the roster (404 as for an unknown unit).
    client.force_login(officers["tiepnhan"])
    assert (
        client.post(
            "/can-bo/duong-day-nong/lich-truc/phan-cong",
            {"dia-ban": "02839", "date": day, "shift": "night", "officer": officers["tiepnhan"].pk},
        ).status_code
        == 404
    )


def test_api_records_a_call_for_duty_officers_only(client, officers, citizen, api_token, commune_a):
    body = {"caller_phone": "0912 345 678", "topic": "fee", "summary": "Hỏi lệ phí", "outcome": "answered"}
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token(officers['tiepnhan'])}"}
    created = client.post("/api/v1/hotline/calls", body, content_type="application/json", **auth)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["unit"] == "02839" and data["caller_phone"] == "0912345678" and data["officer"] == "tiepnhan"
    bad = client.post("/api/v1/hotline/calls", {**body, "topic": "x"}, content_type="application/json", **auth)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid" and "topic" in bad.json()["fields"]
    other = client.post("/api/v1/hotline/calls", {**body, "unit": "03037"}, content_type="application/json", **auth)
    assert other.status_code == 404 and other.json()["code"] == "not_found"
    as_citizen = {"HTTP_AUTHORIZATION": f"Bearer {api_token(citizen)}"}
    refused = client.post("/api/v1/hotline/calls", body, content_type="application/json", **as_citizen)
    assert refused.status_code == 404
    assert client.post("/api/v1/hotline/calls", body, content_type="application/json").status_code == 401
    assert Call.objects.count() == 1


def test_demo_data_is_idempotent(officers, commune_a):
    from motcua.hotline.demo import seed_hotline
    from motcua.hotline.models import DutyShift

    first = seed_hotline()
    shifts = DutyShift.objects.count()
    assert first > 0 and shifts == 16
    assert seed_hotline() == 0 and DutyShift.objects.count() == shifts and Call.objects.count() == first
    assert selectors.on_duty(unit=commune_a) is not None


def test_a_call_becomes_a_feedback_item_in_one_step(officers, commune_a, catalog, office_a, client):
    from motcua.feedback.models import Feedback

    call = _call(
        officers["tiepnhan"],
        commune_a,
        topic="complaint",
        caller_name="Lò Văn Páo",
        summary="Chờ cả buổi sáng ở bộ phận một cửa mà không ai tiếp.",
        outcome="follow_up",
        follow_up="Chuyển lãnh đạo",
        received_at=timezone.now(),
        now=timezone.now(),
    )
    client.force_login(officers["tiepnhan"])
    page = client.post(
        f"/can-bo/duong-day-nong/{call.pk}",
        {"action": "feedback", "category": "service", "subject": "Chờ lâu ở bộ phận một cửa"},
    )
    assert page.status_code == 302
    item = Feedback.objects.get()
    assert (item.channel, item.phone, item.unit, item.sender_name) == ("hotline", "0912345678", commune_a, "Lò Văn Páo")
    assert item.text == call.summary
    call.refresh_from_db()
    assert call.feedback_code == item.code and call.outcome == "feedback"
    assert item.code in client.get(f"/can-bo/duong-day-nong/{call.pk}").content.decode()
    with pytest.raises(NotAllowed) as exc:
        services.call_to_feedback(officer=officers["tiepnhan"], call_id=call.pk, category="service", subject="Lần hai")
    assert exc.value.code == "already_converted" and Feedback.objects.count() == 1


def test_a_double_click_records_one_call(officers, commune_a):
    """The same call recorded twice by the same officer a moment apart (double click, retried request) is one
    record; a different call is another."""
    first = _call(officers["tiepnhan"], commune_a)
    again = _call(officers["tiepnhan"], commune_a)
    assert again.pk == first.pk and Call.objects.count() == 1
    other = _call(officers["tiepnhan"], commune_a, summary="Hỏi lệ phí chứng thực")
    assert other.pk != first.pk and Call.objects.count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency is proven on PostgreSQL (CI)")
def test_twenty_simultaneous_posts_of_one_call_record_it_once(officers, commune_a):
    results, errors = run_concurrently(20, 20, lambda i: _call(officers["tiepnhan"], commune_a).pk)
    assert errors == [] and len(set(results)) == 1 and Call.objects.count() == 1


def test_a_follow_up_is_marked_done_once_and_leaves_the_pending_list(officers, commune_a, commune_b, client):
    call = _call(officers["tiepnhan"], commune_a, outcome="follow_up", follow_up="Gọi lại khi có lịch tiếp dân")
    answered = _call(officers["tiepnhan"], commune_a, summary="Hỏi giờ làm việc")
    leader = officers["lanhdao"]
    assert selectors.pending_follow_ups(user=leader, unit=commune_a) == 1
    with pytest.raises(ValidationFailed) as empty:
        services.call_follow_up_done(officer=leader, call_id=call.pk, result="  ")
    assert empty.value.code == "result_required" and "result" in empty.value.fields
    with pytest.raises(NotAllowed) as needless:
        services.call_follow_up_done(officer=leader, call_id=answered.pk, result="Xong")
    assert needless.value.code == "no_follow_up"
    with pytest.raises(NotFound):  # another commune's officer does not see it
        services.call_follow_up_done(officer=officers["tiepnhan2"], call_id=call.pk, result="Xong")
    done = services.call_follow_up_done(officer=leader, call_id=call.pk, result="Đã gọi lại, hẹn thứ Hai")
    again = services.call_follow_up_done(officer=officers["tiepnhan"], call_id=call.pk, result="Bấm lại")
    assert again.follow_up_done_by == leader and again.follow_up_result == "Đã gọi lại, hẹn thứ Hai"
    assert done.follow_up_done_at == again.follow_up_done_at
    assert selectors.pending_follow_ups(user=leader, unit=commune_a) == 0


def test_the_pages_show_pending_follow_ups_and_mark_one_done(officers, commune_a, client):
    call = _call(officers["tiepnhan"], commune_a, outcome="follow_up", follow_up="Gửi mẫu tờ khai qua Zalo")
    client.force_login(officers["tiepnhan"])
    home = client.get(f"/can-bo/duong-day-nong?dia-ban={commune_a.code}").content.decode()
    assert "1 cuộc gọi còn việc cần làm tiếp" in home
    pending = client.get(f"/can-bo/duong-day-nong?dia-ban={commune_a.code}&viec=chua-xong").content.decode()
    assert f"/can-bo/duong-day-nong/{call.pk}" in pending
    refused = client.post(f"/can-bo/duong-day-nong/{call.pk}", {"action": "follow_up_done", "result": ""})
    assert refused.status_code == 400 and "Ghi kết quả xử lý tiếp" in refused.content.decode()
    answer = client.post(f"/can-bo/duong-day-nong/{call.pk}", {"action": "follow_up_done", "result": "Đã gửi mẫu"})
    assert answer.status_code == 302
    page = client.get(f"/can-bo/duong-day-nong/{call.pk}").content.decode()
    assert 'data-testid="follow-up-done"' in page and "Đã gửi mẫu" in page
    assert 'data-testid="follow-up-done-button"' not in page
    home = client.get(f"/can-bo/duong-day-nong?dia-ban={commune_a.code}").content.decode()
    assert "Không còn việc cần làm tiếp." in home
    none = client.get(f"/can-bo/duong-day-nong?dia-ban={commune_a.code}&viec=chua-xong").content.decode()
    assert 'data-testid="no-match"' in none and "Xem mọi cuộc gọi" in none
