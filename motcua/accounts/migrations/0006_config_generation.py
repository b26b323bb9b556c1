from django.db import migrations

from motcua.core.confcache import watch_tables

# core.confcache: a write to the role grants (any statement: services, the admin, queryset and bulk updates,
# commands, raw SQL) gives the "grants" namespace a new generation in the same transaction.
TABLES = ["accounts_rolegrant"]


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_consent_and_access_log"), ("core", "0002_config_generation")]
    operations = [watch_tables("grants", TABLES)]
