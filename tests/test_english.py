"""English interface: the officer strings that come from data or code (worklist tabs, statuses, remaining
time, fees, action titles) are translated, and English questions find procedures."""

import glob
import json
import re

import polib
import pytest
from django.conf import settings
from django.utils import translation

from motcua.calendars.engine import Remaining
from motcua.catalog.fees import fee_summary
from motcua.catalog.selectors import procedure_search
from motcua.dossiers.selectors import VIEWS

from .factories import DossierFactory

PO = polib.pofile(str(settings.LOCALE_PATHS[0] / "en" / "LC_MESSAGES" / "django.po"))
TRANSLATED = {e.msgid for e in PO if e.msgstr or e.msgstr_plural.get(0)}


def test_every_workflow_label_has_an_english_line():
    for path in glob.glob(str(settings.BASE_DIR / "motcua" / "dossiers" / "workflows" / "*.json")):
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        for section in ("states", "steps", "actions"):
            for item in data.get(section, {}).values():
                for key in ("label", "citizen_label"):
                    if key in item:
                        assert item[key] in TRANSLATED, f"{path}: {item[key]}"


def test_officer_strings_in_english():
    with translation.override("en"):
        assert [str(v) for v in VIEWS.values()][:3] == [
            "Waiting to be received",
            "Mine",
            "Waiting for the citizen's documents",
        ]
        assert Remaining(overdue=False, days=2, hours=3, minutes=0).text() == "2 days 3 hours left"
        assert Remaining(overdue=True, days=1, hours=0, minutes=0).text() == "overdue by 1 day"
        assert fee_summary({"kind": "free"}) == "Free"
    with translation.override("vi"):
        assert Remaining(overdue=False, days=2, hours=3, minutes=0).text() == "còn 2 ngày 3 giờ"
        assert fee_summary({"kind": "free"}) == "Miễn phí"


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("birth certificate for my child", "1.001193"),
        ("single status certificate", "1.004873"),
        ("certified copy of my diploma", "2.000815"),
        ("register temporary residence", "1.004194"),
        ("funeral support", "1.001731"),
    ],
)
def test_english_questions_find_procedures(catalog, question, code):
    assert procedure_search(query=question, limit=3)[0].code == code


def test_worklist_and_dossier_page_in_english(client, catalog, citizen, office_a, staff):
    dossier = DossierFactory(citizen=citizen, procedure_code="1.001193")
    client.force_login(staff["tiepnhan"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    worklist = client.get("/can-bo/ho-so?xem=new").content.decode()
    assert "Waiting to be received (1)" in worklist and "Late (" in worklist and "Done (" in worklist
    assert re.search(r"\b\d+ (day|hour|minute)s?( \d+ (hour|minute)s?)? left\b", worklist)
    page = client.get(f"/can-bo/ho-so/{dossier.code}").content.decode()
    assert "Receive the application" in page and "Ask for more documents" in page and "Free" in page
