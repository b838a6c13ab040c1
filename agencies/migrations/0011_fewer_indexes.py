"""Fewer indexes on notices (issue 19: a sweep writes 10,000 a pass, and each index is written for each): the
person's own index goes (notification_once (user, key) leads with the person), and the digest's holds only the
notices sent in one. The database's part by plain SQL, so that no foreign key is dropped and validated again.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0010_membership_system'),
        ('outbox', '0002_deliveries'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='notification',
                    name='digest',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='outbox.delivery'),
                ),
                migrations.AlterField(
                    model_name='notification',
                    name='user',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddIndex(
                    model_name='notification',
                    index=models.Index(condition=models.Q(('digest__isnull', False)), fields=['digest'], name='notification_digest'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=[
                        'DROP INDEX IF EXISTS "agencies_notification_user_id_6289cada"',
                        'DROP INDEX IF EXISTS "agencies_notification_digest_id_c99a819b"',
                        'CREATE INDEX "notification_digest" ON "agencies_notification" ("digest_id") '
                        'WHERE "digest_id" IS NOT NULL',
                    ],
                    reverse_sql=[
                        'DROP INDEX IF EXISTS "notification_digest"',
                        'CREATE INDEX "agencies_notification_digest_id_c99a819b" ON "agencies_notification" ("digest_id")',
                        'CREATE INDEX "agencies_notification_user_id_6289cada" ON "agencies_notification" ("user_id")',
                    ],
                ),
            ],
        ),
    ]
