from django.db import migrations

from motcua.core.confcache import watch_tables

# core.confcache: a write to these tables (any statement: services, admin, queryset and bulk updates, commands,
# raw SQL) gives the "places" namespace a new generation in the same transaction (core 0002's function).
TABLES = [
    "places_administrativeunit",
    "places_office",
    "places_officehours",
]


class Migration(migrations.Migration):
    dependencies = [("places", "0002_officecontact"), ("core", "0002_config_generation")]
    operations = [watch_tables("places", TABLES)]
