# The Deadline model moved to the deadlines app (issue 13): these keys now name deadlines.Deadline.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('deadlines', '0001_initial'),
        ('providers', '0001_initial'),
    ]

    operations = [
        # State only: the foreign keys already point at the table, which the deadlines app renamed.
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='admissionssuspension',
                name='deadline',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='deadlines.deadline'),
            ),
            migrations.AlterField(
                model_name='historicaladmissionssuspension',
                name='deadline',
                field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='deadlines.deadline'),
            ),
        ]),
    ]
