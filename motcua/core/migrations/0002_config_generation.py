from django.db import migrations, models

# core.confcache: the function the tables of each namespace call (their apps' migrations add the triggers).
# A fresh random value below 2**53 per write, never a counter: a value written by a transaction that rolled
# back is not written again, so nothing cached under it can match later.
FUNCTION = """
CREATE OR REPLACE FUNCTION motcua_config_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO core_configgeneration (namespace, value)
    VALUES (TG_ARGV[0], floor(random() * 9007199254740991)::bigint)
    ON CONFLICT (namespace) DO UPDATE SET value = EXCLUDED.value;
    RETURN NULL;
END
$$
"""


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS motcua_config_changed() CASCADE")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_periodic_run")]

    operations = [
        migrations.CreateModel(
            name="ConfigGeneration",
            fields=[
                ("namespace", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("value", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(create_function, drop_function),
    ]
