"""Issue 13, kind 5: a calendar change moves the due moments of the open dossiers it touches (and their
step deadlines), records why in each dossier's log, tells the citizen, and says the truth to the
administrator. Runs in batches in a background task and is idempotent."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.accounts.models import Role
from motcua.calendars.models import CalendarOverride
from motcua.calendars.services import override_create, override_delete
from motcua.dossiers.deadlines import calendar_changed, recalculation_process
from motcua.dossiers.models import Dossier, DueRecalculation, RecalculationStatus
from motcua.dossiers.selectors import handovers
from motcua.dossiers.services import dossier_submit, dossier_transition, event_chain_valid
from motcua.notifications.models import OutboxMessage
from motcua.places.models import Office

MARITAL = {"muc_dich": "Để đăng ký kết hôn", "tinh_trang": "Chưa kết hôn"}  # 3 working days


def at(text):
    return dt.datetime.fromisoformat(text).replace(tzinfo=timezone.get_current_timezone())


def local(moment):
    return timezone.localtime(moment).replace(tzinfo=None).isoformat(timespec="minutes")


@pytest.fixture
def admin_a(make_officer, commune_a, settings):
    settings.OFFICER_TOTP_REQUIRED = False
    return make_officer("quantrixa", Role.UNIT_ADMIN, commune_a)


@pytest.fixture
def submit(catalog, citizen, office_a):
    counter = {"n": 0}

    def _submit(when="2026-03-02T09:00", office=None):
        counter["n"] += 1
        dossier, _ = dossier_submit(
            citizen=citizen,
            procedure_code="1.004873",
            form=MARITAL,
            now=at(when),
            idempotency_key=f"k{counter['n']}",
            office_code=(office or office_a).code,
        )
        return dossier

    return _submit


def closure(admin, unit, day="2026-03-04", name="Nghỉ do bão số 3"):
    return override_create(actor=admin, date=dt.date.fromisoformat(day), kind="day_off", name=name, unit=unit)


def test_typhoon_closure_moves_open_deadlines_records_why_and_tells_the_citizen(
    submit, admin_a, commune_a, django_capture_on_commit_callbacks
):
    dossier = submit()  # Monday 2/3 09:00, 3 working days: due Thursday 5/3 17:00
    assert local(dossier.due_at) == "2026-03-05T17:00"
    steps_before = [h.due_at for h in handovers(dossier)]
    with django_capture_on_commit_callbacks(execute=True):
        override = closure(admin_a, commune_a)  # Wednesday 4/3 closed, entered after the fact
    run = override.recalculation
    run.refresh_from_db()
    assert (run.total, run.processed, run.changed, run.status) == (1, 1, 1, RecalculationStatus.DONE)
    dossier.refresh_from_db()
    assert local(dossier.due_at) == "2026-03-06T17:00" and dossier.version == 2
    event = dossier.events.order_by("-seq").first()
    assert event.action == "recalculate_due" and event.actor is None
    assert "04/03/2026" in event.note and "Nghỉ do bão số 3" in event.note
    assert event.data["old_due"].startswith("2026-03-05T17:00") and event.data["new_due"].startswith("2026-03-06T17:00")
    assert event_chain_valid(dossier)
    # Step deadlines follow: the last step ends at the new due moment, the later steps moved.
    steps_after = [h.due_at for h in handovers(dossier)]
    assert steps_after[-1] == dossier.due_at and steps_after[-1] > steps_before[-1]
    sms = OutboxMessage.objects.get(source=f"dossier-event:{event.pk}", channel="sms")
    assert "17:00 06/03/2026" in sms.body and "bão số 3" in sms.body


def test_only_open_running_dossiers_of_that_place_move(
    submit, admin_a, commune_a, commune_b, staff, django_capture_on_commit_callbacks
):
    office_b = Office.objects.create(unit=commune_b, code="UBND-03037", agency_code="H15.03037", name="Tả Van")
    mine, elsewhere, finished, later = submit(), submit(office=office_b), submit(), submit("2026-03-05T09:00")
    dossier_transition(
        code=finished.code, action="withdraw", actor=finished.citizen, version=1, now=at("2026-03-03T08:00")
    )
    before = {d.pk: Dossier.objects.get(pk=d.pk).due_at for d in (elsewhere, finished, later)}
    with django_capture_on_commit_callbacks(execute=True):
        override = closure(admin_a, commune_a)
    assert override.recalculation.total == 1  # the one open dossier of commune A that counts over 4/3
    assert local(Dossier.objects.get(pk=mine.pk).due_at) == "2026-03-06T17:00"
    for pk, due in before.items():
        assert Dossier.objects.get(pk=pk).due_at == due
        assert not Dossier.objects.get(pk=pk).events.filter(action="recalculate_due").exists()


def test_province_closure_reaches_its_communes(submit, make_officer, province, django_capture_on_commit_callbacks):
    admin = make_officer("quantritinh", Role.PROVINCE_ADMIN, province)
    dossier = submit()
    with django_capture_on_commit_callbacks(execute=True):
        closure(admin, province)
    assert local(Dossier.objects.get(pk=dossier.pk).due_at) == "2026-03-06T17:00"


def test_removing_the_closure_moves_it_back_and_reruns_change_nothing(
    submit, admin_a, commune_a, django_capture_on_commit_callbacks
):
    dossier = submit()
    with django_capture_on_commit_callbacks(execute=True):
        override = closure(admin_a, commune_a)
    with django_capture_on_commit_callbacks(execute=True):
        run = override_delete(actor=admin_a, override_id=override.pk)
    dossier.refresh_from_db()
    run.refresh_from_db()
    assert local(dossier.due_at) == "2026-03-05T17:00"
    assert run.changed == 1 and "không còn là ngày nghỉ" in dossier.events.order_by("-seq").first().note
    events = dossier.events.count()
    # Idempotent: the same run again, or a new run for the same day, writes nothing.
    DueRecalculation.objects.filter(pk=run.pk).update(status=RecalculationStatus.QUEUED, last_pk=0)
    recalculation_process(run_id=run.pk)
    again = calendar_changed(day=dt.date(2026, 3, 4), unit=commune_a, reason="kiểm tra lại")
    recalculation_process(run_id=again.pk)
    again.refresh_from_db()
    assert again.processed == 1 and again.changed == 0
    assert Dossier.objects.get(pk=dossier.pk).events.count() == events


def test_paused_dossier_is_left_alone_and_the_restart_follows_the_calendar(
    submit, admin_a, commune_a, staff, citizen, django_capture_on_commit_callbacks
):
    dossier = submit()
    paused = dossier_transition(
        code=dossier.code,
        action="request_supplement",
        actor=staff["tiepnhan"],
        version=1,
        note="Thiếu giấy tờ",
        now=at("2026-03-03T09:00"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        override = closure(admin_a, commune_a, day="2026-03-10")
    assert override.recalculation.total == 0
    assert Dossier.objects.get(pk=paused.pk).due_at == paused.due_at
    # Completed on Monday 9/3 10:00: the clock restarts from zero and skips the closed Tuesday 10/3.
    resumed = dossier_transition(
        code=dossier.code,
        action="submit_supplement",
        actor=citizen,
        version=paused.version,
        note="Đã bổ sung",
        now=at("2026-03-09T10:00"),
    )
    assert local(resumed.due_at) == "2026-03-13T17:00"


def test_an_extension_keeps_its_length_in_working_days(
    submit, admin_a, commune_a, staff, django_capture_on_commit_callbacks
):
    dossier = submit()
    dossier_transition(
        code=dossier.code, action="accept", actor=staff["tiepnhan"], version=1, now=at("2026-03-02T10:00")
    )
    extended = dossier_transition(
        code=dossier.code,
        action="extend",
        actor=staff["tiepnhan"],
        version=2,
        note="Cần xác minh",
        params={"new_due": "10/03/2026"},  # Thursday 5/3 → Tuesday 10/3: three more working days
        now=at("2026-03-03T10:00"),
    )
    assert extended.events.order_by("-seq").first().data["extra_working_days"] == 3
    with django_capture_on_commit_callbacks(execute=True):
        closure(admin_a, commune_a)
    assert local(Dossier.objects.get(pk=dossier.pk).due_at) == "2026-03-11T17:00"


def test_batches_checkpoint_and_resume(submit, admin_a, commune_a):
    dossiers = [submit() for _ in range(7)]
    CalendarOverride.objects.create(date=dt.date(2026, 3, 4), kind="day_off", name="Bão", unit=commune_a)
    run = calendar_changed(day=dt.date(2026, 3, 4), unit=commune_a, reason="bão")
    assert run.total == 7 and run.status == RecalculationStatus.QUEUED
    # A worker that stopped after the first batch of three left a checkpoint…
    first = sorted(d.pk for d in dossiers)[:3]
    DueRecalculation.objects.filter(pk=run.pk).update(last_pk=first[-1], processed=3)
    # …and the sweeper command finishes the rest without touching the first three.
    call_command("deadlines_recalculate", stdout=io.StringIO())
    run.refresh_from_db()
    assert (run.processed, run.changed, run.status) == (7, 4, RecalculationStatus.DONE)
    moved = set(Dossier.objects.filter(events__action="recalculate_due").values_list("pk", flat=True))
    assert moved == set(sorted(d.pk for d in dossiers)[3:])
    recalculation_process(run_id=run.pk, batch=2)  # done: nothing more
    assert Dossier.objects.filter(events__action="recalculate_due").count() == 4


def test_workspace_page_says_the_truth(client, submit, admin_a, django_capture_on_commit_callbacks):
    submit()
    submit()
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/can-bo/lich-lam-viec",
            {"date": "04/03/2026", "kind": "day_off", "name": "Nghỉ do bão số 3", "unit": "02839"},
            follow=True,
        )
    body = response.content.decode()
    # The task has not run yet (it starts when the change commits): the page says so, with the count.
    assert "Đang tính lại hạn của 2 hồ sơ" in body and 'data-testid="recalculations"' in body
    assert Dossier.objects.filter(events__action="recalculate_due").count() == 0
    for callback in callbacks:
        callback()
    assert Dossier.objects.filter(events__action="recalculate_due").count() == 2
    page = client.get("/can-bo/lich-lam-viec").content.decode()
    assert "2/2" in page and "Đã xong" in page


def test_admin_change_and_delete_recalculate(client, db, django_user_model, submit, commune_a):
    dossier = submit()
    user = django_user_model.objects.create_superuser("admin", password="x-mat-khau-1")
    client.force_login(user)
    response = client.post(
        "/quan-tri/calendars/calendaroverride/add/",
        {"date": "2026-03-04", "kind": "day_off", "name": "Nghỉ do bão số 3", "unit": commune_a.pk, "legal_basis": ""},
        follow=True,
    )
    assert response.status_code == 200
    assert "Đang tính lại hạn của 1 hồ sơ" in response.content.decode()
    run = DueRecalculation.objects.get()
    recalculation_process(run_id=run.pk)
    assert local(Dossier.objects.get(pk=dossier.pk).due_at) == "2026-03-06T17:00"
    override = CalendarOverride.objects.get(unit=commune_a)
    # Moving the closure to another day recalculates both days.
    client.post(
        f"/quan-tri/calendars/calendaroverride/{override.pk}/change/",
        {"date": "2026-03-05", "kind": "day_off", "name": "Nghỉ do bão số 3", "unit": commune_a.pk, "legal_basis": ""},
    )
    assert DueRecalculation.objects.count() == 3
    for run in DueRecalculation.objects.exclude(status=RecalculationStatus.DONE):
        recalculation_process(run_id=run.pk)
    assert local(Dossier.objects.get(pk=dossier.pk).due_at) == "2026-03-06T17:00"
    client.post(f"/quan-tri/calendars/calendaroverride/{override.pk}/delete/", {"post": "yes"})
    for run in DueRecalculation.objects.exclude(status=RecalculationStatus.DONE):
        recalculation_process(run_id=run.pk)
    assert local(Dossier.objects.get(pk=dossier.pk).due_at) == "2026-03-05T17:00"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    submitted_minutes=st.integers(min_value=0, max_value=14 * 24 * 60),
    closure_offset=st.integers(min_value=0, max_value=27),
)
def test_recalculated_due_is_the_rule_on_the_new_calendar_and_undoes_exactly(
    submit, admin_a, commune_a, office_a, submitted_minutes, closure_offset
):
    """Any submission moment in two weeks, any closure day in four: the recalculated due moment is what the
    procedure's rule gives on the changed calendar, never earlier; removing the closure restores it."""
    from motcua.calendars.selectors import calendar_for_office
    from motcua.catalog.selectors import deadline_rule

    when = at("2026-03-02T00:00") + dt.timedelta(minutes=submitted_minutes)
    dossier = submit(when=timezone.localtime(when).replace(tzinfo=None).isoformat())
    original = dossier.due_at
    day = dt.date(2026, 3, 2) + dt.timedelta(days=closure_offset)
    was_working = calendar_for_office(office_a).is_working_day(day)
    override = CalendarOverride.objects.create(date=day, kind="day_off", name="Bão", unit=commune_a)
    recalculation_process(run_id=calendar_changed(day=day, unit=commune_a, reason="bão").pk)
    moved = Dossier.objects.get(pk=dossier.pk)
    expected = deadline_rule(moved.procedure).due(calendar_for_office(office_a), when)
    assert moved.due_at == expected and moved.due_at >= original
    if moved.due_at > original:
        assert was_working  # only a closure that takes away a working day moves a deadline
    override.delete()
    recalculation_process(run_id=calendar_changed(day=day, unit=commune_a, reason="bỏ bão").pk)
    assert Dossier.objects.get(pk=dossier.pk).due_at == original


def test_a_double_click_adds_the_day_once_and_says_what_was_done(
    submit, admin_a, commune_a, make_officer, django_capture_on_commit_callbacks
):
    from django.core.exceptions import ValidationError

    from motcua.accounts.models import Role
    from motcua.calendars.models import CalendarOverride

    submit()
    with django_capture_on_commit_callbacks(execute=True):
        first = closure(admin_a, commune_a)
    again = closure(admin_a, commune_a)  # the second click of the same administrator
    assert again.pk == first.pk and CalendarOverride.objects.filter(date="2026-03-04", unit=commune_a).count() == 1
    assert again.recalculation is not None and again.recalculation.pk == first.recalculation.pk
    with pytest.raises(ValidationError):  # another reason on the same day is a real clash
        closure(admin_a, commune_a, name="Nghỉ lý do khác")
    other_admin = make_officer("quantri_a2", Role.UNIT_ADMIN, commune_a)
    with pytest.raises(ValidationError):  # so is someone else adding it
        closure(other_admin, commune_a)
