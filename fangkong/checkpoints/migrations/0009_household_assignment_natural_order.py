"""Households: the worker they are assigned to (who sees the address in full), a
natural sort key for the number (1, 2, 10), and room for a landline contact number
(0915-3212345), also on tips. Existing households get their sort key."""

import re

from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion


def _natural(text):
    # A copy of lib.numbers.natural_sort_key as of this migration.
    def run(match):
        digits = match.group().lstrip("0") or "0"
        return f"{min(len(digits), 99):02d}{digits}"

    return re.sub(r"\d+", run, (text or "").strip().lower())


def fill_sort_keys(apps, schema_editor):
    Household = apps.get_model("checkpoints", "Household")
    batch = []
    for household in Household.objects.only("pk", "number").iterator():
        household.sort_key = _natural(household.number)
        batch.append(household)
        if len(batch) >= 1000:
            Household.objects.bulk_update(batch, ["sort_key"])
            batch = []
    Household.objects.bulk_update(batch, ["sort_key"])


class Migration(migrations.Migration):

    dependencies = [
        ("checkpoints", "0008_keep_every_visit"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="household", name="assigned_to",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                related_name="+", to=settings.AUTH_USER_MODEL,
                verbose_name="assigned worker"),
        ),
        migrations.AddField(
            model_name="household", name="sort_key",
            field=models.CharField(default="", editable=False, max_length=130),
        ),
        migrations.RunPython(fill_sort_keys, migrations.RunPython.noop),
        migrations.AlterModelOptions(
            name="household",
            options={"ordering": ["unit_path", "sort_key", "number"],
                     "verbose_name": "household", "verbose_name_plural": "households"},
        ),
        migrations.AlterField(
            model_name="household", name="phone",
            field=models.CharField(blank=True, max_length=20, verbose_name="contact phone"),
        ),
        migrations.AlterField(
            model_name="tip", name="caller_phone",
            field=models.CharField(blank=True, max_length=20, verbose_name="caller's phone"),
        ),
    ]
