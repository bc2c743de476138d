"""Offline capture (core.capture): every keyed register keeps the phone's made-at time and
whether it arrived after its day was reported; door-to-door visits get a submission key
(existing visits get a fresh one each)."""

import uuid

from django.db import migrations, models


def key_existing_visits(apps, schema_editor):
    ScreeningVisit = apps.get_model("checkpoints", "ScreeningVisit")
    for visit in ScreeningVisit.objects.filter(client_id__isnull=True).only("pk").iterator():
        ScreeningVisit.objects.filter(pk=visit.pk).update(client_id=uuid.uuid4())


def time_fields(model):
    return [
        migrations.AddField(
            model_name=model, name="made_at",
            field=models.DateTimeField(blank=True, null=True,
                                       verbose_name="made at (on the device)"),
        ),
        migrations.AddField(
            model_name=model, name="arrived_late",
            field=models.BooleanField(
                default=False, verbose_name="arrived after its day was reported",
                help_text="Counted in its day; the day's report was sent before it arrived."),
        ),
    ]


class Migration(migrations.Migration):

    dependencies = [
        ("checkpoints", "0006_typed_identity"),
    ]

    operations = [
        *time_fields("passage"),
        *time_fields("inspection"),
        *time_fields("patrollog"),
        *time_fields("tip"),
        *time_fields("screeningvisit"),
        migrations.AddField(
            model_name="screeningvisit", name="client_id",
            field=models.UUIDField(null=True, verbose_name="submission key"),
        ),
        migrations.RunPython(key_existing_visits, migrations.RunPython.noop, elidable=True),
        # The key becomes unique and required in the next migration: PostgreSQL refuses
        # to alter a table with pending trigger events in the transaction that updated it.
    ]
