"""Offline capture (core.capture): every keyed register keeps the phone's made-at time and
whether it arrived after its day was reported. (Door-to-door visits already have their
submission key: 0008_keep_every_visit.)"""

from django.db import migrations, models

KEYED = ("passage", "inspection", "patrollog", "tip", "screeningvisit", "checkpoint",
         "household", "householdmember", "outsider")


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
        ("checkpoints", "0010_submission_keys"),
    ]

    operations = [op for model in KEYED for op in time_fields(model)]
