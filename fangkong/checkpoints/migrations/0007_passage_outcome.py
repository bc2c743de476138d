"""A passage records what the duty staff did with the person (issue #11, item 2).

Until now every confirmed passage counted as having gone in or out, also a person
stopped with a fever (the screen said "do not let them in"). Existing confirmed fevers
become "not let through" and leave the day's in/out counts; everything else was let
through."""

from django.db import migrations, models
from django.db.models import Count, Q


def fevers_not_admitted(apps, schema_editor):
    Passage = apps.get_model("checkpoints", "Passage")
    PassageDaily = apps.get_model("checkpoints", "PassageDaily")
    fevers = Passage.objects.filter(fever=True, status="confirmed")
    days = (fevers.values("checkpoint_id", "day")
            .annotate(n_in=Count("pk", filter=Q(direction="in")),
                      n_out=Count("pk", filter=Q(direction="out"))))
    for row in days:
        daily = PassageDaily.objects.filter(checkpoint_id=row["checkpoint_id"],
                                            day=row["day"]).first()
        if daily is None:
            continue
        daily.passages_in = max(0, daily.passages_in - row["n_in"])
        daily.passages_out = max(0, daily.passages_out - row["n_out"])
        daily.save(update_fields=["passages_in", "passages_out"])
    fevers.update(outcome="refused")


class Migration(migrations.Migration):

    dependencies = [
        ("checkpoints", "0006_typed_identity"),
    ]

    operations = [
        migrations.AddField(
            model_name='passage',
            name='name_disputed',
            field=models.BooleanField(default=False, verbose_name='name differs from the registry'),
        ),
        migrations.AddField(
            model_name='passage',
            name='outcome',
            field=models.CharField(choices=[('admitted', 'Let through'), ('turned_back', 'Persuaded to turn back'), ('refused', 'Not let through'), ('referred', 'Referred for care')], default='admitted', help_text='Only a person let through counts as having gone in or out.', max_length=11, verbose_name='outcome'),
        ),
        migrations.RunPython(fevers_not_admitted, migrations.RunPython.noop),
    ]
