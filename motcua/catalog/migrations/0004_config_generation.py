from django.db import migrations

from motcua.core.confcache import watch_tables

# core.confcache: a write to these tables (any statement: services, admin, queryset and bulk updates, commands,
# raw SQL) gives the "catalog" namespace a new generation in the same transaction (core 0002's function).
TABLES = [
    "catalog_field",
    "catalog_procedure",
    "catalog_requireddocument",
]


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_identity_level_required"), ("core", "0002_config_generation")]
    operations = [watch_tables("catalog", TABLES)]
