"""The outbox takes a plain payload: the dossier-event foreign key becomes a "source" text
("dossier-event:<id>"), kept for the messages already written, so a replay still never notifies twice."""

from django.db import migrations, models


def event_to_source(apps, schema_editor):
    OutboxMessage = apps.get_model("notifications", "OutboxMessage")
    for message in OutboxMessage.objects.exclude(event_id=None).only("pk", "event_id").iterator():
        OutboxMessage.objects.filter(pk=message.pk).update(source=f"dossier-event:{message.event_id}")


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="source",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name="outboxmessage",
            name="payload",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(event_to_source, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="outboxmessage",
            name="outbox_once_per_event",
        ),
        migrations.RemoveField(
            model_name="outboxmessage",
            name="event",
        ),
        migrations.AlterField(
            model_name="outboxmessage",
            name="body",
            field=models.TextField(blank=True),
        ),
        migrations.AddConstraint(
            model_name="outboxmessage",
            constraint=models.UniqueConstraint(
                condition=models.Q(("source", ""), _negated=True),
                fields=("source", "channel", "recipient"),
                name="outbox_once_per_source",
            ),
        ),
    ]
