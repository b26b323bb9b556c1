from django.db import migrations

from motcua.core.confcache import watch_tables

# core.confcache: a write to these tables (any statement: services, admin, queryset and bulk updates, commands,
# raw SQL) gives the "calendars" namespace a new generation in the same transaction (core 0002's function).
TABLES = [
    "calendars_calendaroverride",
]


class Migration(migrations.Migration):
    dependencies = [("calendars", "0002_load_official_overrides"), ("core", "0002_config_generation")]
    operations = [watch_tables("calendars", TABLES)]
