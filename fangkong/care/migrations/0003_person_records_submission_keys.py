"""Workers, family members and elderly residents get the submission key their register
pages send (``core.forms.KeyedForm``), so going back and sending a form again does not
register the person twice. Existing records get a key of their own."""

import uuid

from django.db import migrations, models

MODELS = ("MedicalWorker", "FamilyMember", "Elderly")


def give_keys(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("care", name)
        batch = []
        for obj in model.objects.filter(client_id__isnull=True).only("pk").iterator():
            obj.client_id = uuid.uuid4()
            batch.append(obj)
            if len(batch) >= 1000:
                model.objects.bulk_update(batch, ["client_id"])
                batch = []
        model.objects.bulk_update(batch, ["client_id"])


class Migration(migrations.Migration):

    dependencies = [
        ("care", "0002_taskforce_keys_and_active_helpers"),
    ]

    operations = [
        *(migrations.AddField(
            model_name=name.lower(), name="client_id",
            field=models.UUIDField(null=True, editable=False, verbose_name="submission key"),
        ) for name in MODELS),
        migrations.RunPython(give_keys, migrations.RunPython.noop),
        *(migrations.AlterField(
            model_name=name.lower(), name="client_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True,
                                   verbose_name="submission key"),
        ) for name in MODELS),
    ]
