from django.db import migrations, models

TRGM_INDEX = "dossier_applicant_search_trgm"


def fill(apps, schema_editor):
    """Existing dossiers get their folded name (the same function new writes use)."""
    from motcua.core.inputs import fold

    Dossier = apps.get_model("dossiers", "Dossier")
    batch = []
    for dossier in Dossier.objects.only("pk", "applicant_name").iterator(chunk_size=2000):
        dossier.applicant_search = fold(dossier.applicant_name)[:150]
        batch.append(dossier)
        if len(batch) >= 2000:
            Dossier.objects.bulk_update(batch, ["applicant_search"])
            batch = []
    if batch:
        Dossier.objects.bulk_update(batch, ["applicant_search"])


def trigram_index(apps, schema_editor):
    """PostgreSQL: a trigram index answers "contains" searches without scanning a province's dossiers.
    (pg_trgm is a trusted extension: the database owner may create it.) SQLite has no equivalent."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRGM_INDEX} ON dossiers_dossier USING gin (applicant_search gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRGM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="applicant_search",
            field=models.CharField(blank=True, editable=False, max_length=150),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
