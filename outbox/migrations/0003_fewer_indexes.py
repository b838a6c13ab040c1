"""Fewer indexes on deliveries (issue 19: a sweep writes 10,000 a pass, and each index is written for each).

The model's state changes as Django would write it; the database's by plain SQL, so that no foreign key is dropped
and validated again over every row (what Django does when a foreign key's index goes), and the once-key's unique
index is kept and renamed rather than built again. Gone: the pattern-ops copy of the once-key (nothing reads the key
by LIKE), the content type's own index (outbox_delivery_about leads with it), and the entries of the rows no read
looks for (no content type, SMTP's empty reference, recorded by nobody).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('outbox', '0002_deliveries'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(
                    model_name='delivery',
                    name='outbox_delivery_about',
                ),
                migrations.AlterField(
                    model_name='delivery',
                    name='about_type',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype'),
                ),
                migrations.AlterField(
                    model_name='delivery',
                    name='created_by',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='delivery',
                    name='key',
                    field=models.CharField(max_length=200),
                ),
                migrations.AlterField(
                    model_name='delivery',
                    name='provider_reference',
                    field=models.CharField(blank=True, max_length=100),
                ),
                migrations.AddIndex(
                    model_name='delivery',
                    index=models.Index(condition=models.Q(('about_type__isnull', False)), fields=['about_type', 'about_id'], name='outbox_delivery_about'),
                ),
                migrations.AddIndex(
                    model_name='delivery',
                    index=models.Index(condition=models.Q(('provider_reference', ''), _negated=True), fields=['provider_reference'], name='delivery_provider_reference'),
                ),
                migrations.AddIndex(
                    model_name='delivery',
                    index=models.Index(condition=models.Q(('created_by__isnull', False)), fields=['created_by'], name='delivery_created_by'),
                ),
                migrations.AddConstraint(
                    model_name='delivery',
                    constraint=models.UniqueConstraint(fields=('key',), name='delivery_once'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=[
                        'ALTER TABLE "outbox_delivery" RENAME CONSTRAINT "outbox_delivery_key_key" TO "delivery_once"',
                        'DROP INDEX IF EXISTS "outbox_delivery_key_0cd5c44f_like"',
                        'DROP INDEX IF EXISTS "outbox_delivery_about_type_id_cacd127d"',
                        'DROP INDEX IF EXISTS "outbox_delivery_about"',
                        'CREATE INDEX "outbox_delivery_about" ON "outbox_delivery" ("about_type_id", "about_id") '
                        'WHERE "about_type_id" IS NOT NULL',
                        'DROP INDEX IF EXISTS "outbox_delivery_provider_reference_22154552"',
                        'DROP INDEX IF EXISTS "outbox_delivery_provider_reference_22154552_like"',
                        'CREATE INDEX "delivery_provider_reference" ON "outbox_delivery" ("provider_reference") '
                        'WHERE NOT ("provider_reference" = \'\')',
                        'DROP INDEX IF EXISTS "outbox_delivery_created_by_id_65772849"',
                        'CREATE INDEX "delivery_created_by" ON "outbox_delivery" ("created_by_id") '
                        'WHERE "created_by_id" IS NOT NULL',
                    ],
                    reverse_sql=[
                        'DROP INDEX IF EXISTS "delivery_created_by"',
                        'CREATE INDEX "outbox_delivery_created_by_id_65772849" ON "outbox_delivery" ("created_by_id")',
                        'DROP INDEX IF EXISTS "delivery_provider_reference"',
                        'CREATE INDEX "outbox_delivery_provider_reference_22154552" ON "outbox_delivery" '
                        '("provider_reference")',
                        'CREATE INDEX "outbox_delivery_provider_reference_22154552_like" ON "outbox_delivery" '
                        '("provider_reference" varchar_pattern_ops)',
                        'DROP INDEX IF EXISTS "outbox_delivery_about"',
                        'CREATE INDEX "outbox_delivery_about" ON "outbox_delivery" ("about_type_id", "about_id")',
                        'CREATE INDEX "outbox_delivery_about_type_id_cacd127d" ON "outbox_delivery" ("about_type_id")',
                        'CREATE INDEX "outbox_delivery_key_0cd5c44f_like" ON "outbox_delivery" ("key" varchar_pattern_ops)',
                        'ALTER TABLE "outbox_delivery" RENAME CONSTRAINT "delivery_once" TO "outbox_delivery_key_key"',
                    ],
                ),
            ],
        ),
    ]
