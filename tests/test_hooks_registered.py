"""The lower apps learn about the engine only through what it registers (issue 15 point 4): the
registrations are in place, and each still does its job end to end."""

import datetime as dt

import pytest

from motcua.accounts import privacy
from motcua.calendars import followers
from motcua.dossiers.effects import _ON_SUBMITTED
from motcua.places.warnings import office_warnings

pytestmark = pytest.mark.django_db


def test_every_registration_is_in_place():
    assert set(privacy._SECTIONS) == {"dossiers", "stored_documents", "feedback"}
    assert privacy._SECTIONS["stored_documents"][1] is not None  # closing the account empties the store
    assert privacy._PDF_RENDERERS
    assert len(followers._FOLLOWERS) == 2  # the dossier engine (with runs) and feedback (at once)
    assert "outreach" in _ON_SUBMITTED


def test_an_unknown_personal_data_section_is_refused():
    with pytest.raises(ValueError, match="unknown personal-data section"):
        privacy.register_personal_data("payments", export=lambda user: [])


def test_a_calendar_change_reaches_the_engine_and_its_run_is_listed(commune_a):
    run = followers.calendar_day_changed(
        day=dt.date(2026, 12, 24), unit=commune_a, kind="day_off", name="Nghỉ thử", removed=False
    )
    assert run.total == 0 and run.unit == commune_a and "24/12/2026" in run.reason
    assert followers.change_message(run) == "Không có hồ sơ đang giải quyết nào bị ảnh hưởng."
    assert list(followers.recent_runs(units=[commune_a])) == [run]


def test_an_office_without_staff_gets_the_engines_warning(office_a):
    messages = office_warnings([office_a])
    assert messages and all(office_a.name in m for m in messages)
