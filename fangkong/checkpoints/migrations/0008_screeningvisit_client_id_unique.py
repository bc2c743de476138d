"""Door-to-door visits' submission key, filled in by 0007, is now required and unique."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("checkpoints", "0007_offline_capture"),
    ]

    operations = [
        migrations.AlterField(
            model_name="screeningvisit", name="client_id",
            field=models.UUIDField(unique=True, verbose_name="submission key"),
        ),
    ]
