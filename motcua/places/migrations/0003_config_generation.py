from django.db import migrations

# core.confcache: a write to these tables (any statement: services, admin, queryset and bulk updates, commands,
# raw SQL) gives the "places" namespace a new generation in the same transaction (core 0002's function).
TABLES = [
    "places_administrativeunit",
    "places_office",
    "places_officehours",
]


def watch(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER config_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION motcua_config_changed('places')"
            )


def unwatch(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS config_changed ON {table}")


class Migration(migrations.Migration):
    dependencies = [("places", "0002_officecontact"), ("core", "0002_config_generation")]
    operations = [migrations.RunPython(watch, unwatch)]
