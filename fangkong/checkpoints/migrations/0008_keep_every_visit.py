"""Every door-to-door visit is kept: the one-visit-per-household-and-day constraint goes
(a second visit the same day overwrote the first one's findings), and each visit gets
the submission key its form sends, so a form sent twice is still one visit. Existing
visits get a key of their own."""

import uuid

from django.db import migrations, models


def give_keys(apps, schema_editor):
    ScreeningVisit = apps.get_model("checkpoints", "ScreeningVisit")
    batch = []
    for visit in ScreeningVisit.objects.filter(client_id__isnull=True).only("pk").iterator():
        visit.client_id = uuid.uuid4()
        batch.append(visit)
        if len(batch) >= 1000:
            ScreeningVisit.objects.bulk_update(batch, ["client_id"])
            batch = []
    ScreeningVisit.objects.bulk_update(batch, ["client_id"])


class Migration(migrations.Migration):

    dependencies = [
        ("checkpoints", "0007_passage_outcome"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="screeningvisit", name="visit_once_per_household_day",
        ),
        migrations.AlterModelOptions(
            name="screeningvisit",
            options={"ordering": ["-visited_on", "-pk"], "verbose_name": "screening visit",
                     "verbose_name_plural": "screening visits"},
        ),
        migrations.AddIndex(
            model_name="screeningvisit",
            index=models.Index(fields=["household", "visited_on"],
                               name="checkpoints_househo_4541cf_idx"),
        ),
        migrations.AddField(
            model_name="screeningvisit", name="client_id",
            field=models.UUIDField(null=True, editable=False, verbose_name="submission key"),
        ),
        migrations.RunPython(give_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="screeningvisit", name="client_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True,
                                   verbose_name="submission key"),
        ),
    ]
