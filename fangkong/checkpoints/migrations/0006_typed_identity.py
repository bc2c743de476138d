"""Registers keep the name and phone as typed (core.models.PersonRecord).

Existing records get their person's registry values: what was typed was not kept, and
until now the registry row was filled from it."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

MODELS = ("passage", "outsider", "householdmember")


def copy_from_registry(apps, schema_editor):
    Person = apps.get_model("core", "Person")
    for name in MODELS:
        model = apps.get_model("checkpoints", name)
        person = Person.objects.filter(pk=OuterRef("person_id"))
        model.objects.update(name=Subquery(person.values("name")[:1]),
                             phone=Subquery(person.values("phone")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ("checkpoints", "0005_remove_screeningrule"),
        ("core", "0001_initial"),
    ]

    operations = [
        *[op for name in MODELS for op in (
            migrations.AddField(
                model_name=name, name="name",
                field=models.CharField(default="", max_length=50,
                                       verbose_name="name as registered"),
                preserve_default=False,
            ),
            migrations.AddField(
                model_name=name, name="phone",
                field=models.CharField(blank=True, default="", max_length=11,
                                       verbose_name="phone as registered"),
                preserve_default=False,
            ),
        )],
        migrations.RunPython(copy_from_registry, migrations.RunPython.noop, elidable=True),
    ]
