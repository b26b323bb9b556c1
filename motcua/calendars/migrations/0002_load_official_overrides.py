import datetime as dt
import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "official_overrides.json"


def load(apps, schema_editor):
    # The historical model, not the service: migrations must not depend on today's code.
    CalendarOverride = apps.get_model("calendars", "CalendarOverride")
    for entry in json.loads(DATA.read_text(encoding="utf-8"))["entries"]:
        CalendarOverride.objects.update_or_create(
            date=dt.date.fromisoformat(entry["date"]),
            unit=None,
            defaults={"kind": entry["kind"], "name": entry["name"], "legal_basis": entry.get("legal_basis", "")},
        )


class Migration(migrations.Migration):
    dependencies = [("calendars", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
