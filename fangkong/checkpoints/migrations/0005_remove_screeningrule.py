# The screening rule lives in core's dated rules now (0004 moved its versions there).
# A migration of its own: on PostgreSQL, altering the passage table in the transaction
# that just updated its foreign keys fails ("pending trigger events").

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('checkpoints', '0004_screening_rule_values'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='passage',
            name='rule_version',
        ),
        migrations.DeleteModel(
            name='ScreeningRule',
        ),
    ]
