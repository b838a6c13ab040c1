# The Deadline model and its history move here from allegations (issue 13), with their tables and data.
#
# State: the models are created here and deleted from allegations (allegations 0011); the foreign
# keys to them (meetings 0006, providers 0002) are re-pointed, all without touching the database.
# Database: the two tables are renamed allegations_* -> deadlines_*. Their indexes (named
# explicitly: the chasing sweep's partial indexes among them), constraints, foreign keys and the
# identity sequences go with them: PostgreSQL keeps them by the table, not by its name. The history
# table's append-only trigger was named after the model's old label (django-pgtrigger hashes
# "allegations.HistoricalDeadline:append_only"): it is dropped here, and migrate installs it under
# the new label (PGTRIGGER_INSTALL_ON_MIGRATE), so the retention purge's pgtrigger.ignore() names it.
# The content types follow in 0002.

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


OLD_TRIGGER = "pgtrigger_append_only_09942"  # pgtrigger's id for allegations.HistoricalDeadline:append_only

RENAME_TABLES = """
ALTER TABLE allegations_deadline RENAME TO deadlines_deadline;
ALTER TABLE allegations_historicaldeadline RENAME TO deadlines_historicaldeadline;
"""
RENAME_TABLES_BACK = """
ALTER TABLE deadlines_deadline RENAME TO allegations_deadline;
ALTER TABLE deadlines_historicaldeadline RENAME TO allegations_historicaldeadline;
"""
DROP_OLD_TRIGGER = f"""
DROP TRIGGER IF EXISTS {OLD_TRIGGER} ON deadlines_historicaldeadline;
DROP FUNCTION IF EXISTS {OLD_TRIGGER}();
"""


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('allegations', '0010_help_texts_plain_words'),
        # Every migration that made a foreign key to the table under its old name runs before the rename.
        ('meetings', '0005_minutes_plain_words'),
        ('providers', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(RENAME_TABLES, RENAME_TABLES_BACK),
                # On the way back, migrate installs the trigger under the old label again.
                migrations.RunSQL(DROP_OLD_TRIGGER, migrations.RunSQL.noop),
            ],
            state_operations=[
            migrations.CreateModel(
                name='HistoricalDeadline',
                fields=[
                    ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('initial_discussion', 'Initial discussion'), ('strategy_meeting', 'Strategy meeting'), ('minutes_initial', 'Minutes of an initial meeting'), ('minutes_review', 'Minutes of a review meeting'), ('employer_action', 'Employer action'), ('disciplinary_hearing', 'Disciplinary hearing'), ('case_review', 'Case review'), ('police_review', 'Police review'), ('action', 'Action'), ('admissions_review', 'Review of suspended admissions')], max_length=24)),
                    ('anchor_at', models.DateTimeField()),
                    ('due_at', models.DateTimeField()),
                    ('met_at', models.DateTimeField(blank=True, null=True)),
                    ('status', models.CharField(choices=[('open', 'Open'), ('overdue', 'Overdue'), ('met', 'Met'), ('met_late', 'Met late'), ('waived', 'Waived')], default='open', max_length=10)),
                    ('waived_reason', models.TextField(blank=True)),
                    ('remind_at', models.DateTimeField(blank=True, null=True)),
                    ('escalate_at', models.DateTimeField(blank=True, null=True)),
                    ('reminder_sent_at', models.DateTimeField(blank=True, null=True)),
                    ('overdue_sent_at', models.DateTimeField(blank=True, null=True)),
                    ('escalation_sent_at', models.DateTimeField(blank=True, null=True)),
                    ('chase_ended_at', models.DateTimeField(blank=True, null=True)),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_change_reason', models.TextField(null=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('case', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='allegations.case')),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('provider_concern', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='providers.providerconcern')),
                    ('referral', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='allegations.referral')),
                    ('waived_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'verbose_name': 'historical deadline',
                    'verbose_name_plural': 'historical deadlines',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, models.Model),
            ),
            migrations.CreateModel(
                name='Deadline',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('initial_discussion', 'Initial discussion'), ('strategy_meeting', 'Strategy meeting'), ('minutes_initial', 'Minutes of an initial meeting'), ('minutes_review', 'Minutes of a review meeting'), ('employer_action', 'Employer action'), ('disciplinary_hearing', 'Disciplinary hearing'), ('case_review', 'Case review'), ('police_review', 'Police review'), ('action', 'Action'), ('admissions_review', 'Review of suspended admissions')], max_length=24)),
                    ('anchor_at', models.DateTimeField()),
                    ('due_at', models.DateTimeField()),
                    ('met_at', models.DateTimeField(blank=True, null=True)),
                    ('status', models.CharField(choices=[('open', 'Open'), ('overdue', 'Overdue'), ('met', 'Met'), ('met_late', 'Met late'), ('waived', 'Waived')], default='open', max_length=10)),
                    ('waived_reason', models.TextField(blank=True)),
                    ('remind_at', models.DateTimeField(blank=True, null=True)),
                    ('escalate_at', models.DateTimeField(blank=True, null=True)),
                    ('reminder_sent_at', models.DateTimeField(blank=True, null=True)),
                    ('overdue_sent_at', models.DateTimeField(blank=True, null=True)),
                    ('escalation_sent_at', models.DateTimeField(blank=True, null=True)),
                    ('chase_ended_at', models.DateTimeField(blank=True, null=True)),
                    ('case', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='deadlines', to='allegations.case')),
                    ('provider_concern', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='deadlines', to='providers.providerconcern')),
                    ('referral', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='deadlines', to='allegations.referral')),
                    ('waived_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'ordering': ['due_at'],
                    'indexes': [models.Index(fields=['status', 'due_at'], name='deadline_status_due'), models.Index(fields=['referral', 'kind'], name='deadline_referral_kind'), models.Index(condition=models.Q(('provider_concern__isnull', False)), fields=['provider_concern', 'kind'], name='deadline_concern_kind'), models.Index(condition=models.Q(('chase_ended_at__isnull', True), ('met_at__isnull', True), ('reminder_sent_at__isnull', True), ('status__in', ['open', 'overdue'])), fields=['remind_at'], name='deadline_chase_reminder'), models.Index(condition=models.Q(('chase_ended_at__isnull', True), ('met_at__isnull', True), ('overdue_sent_at__isnull', True), ('status__in', ['open', 'overdue'])), fields=['due_at'], name='deadline_chase_overdue'), models.Index(condition=models.Q(('chase_ended_at__isnull', True), ('escalation_sent_at__isnull', True), ('met_at__isnull', True), ('status__in', ['open', 'overdue'])), fields=['escalate_at'], name='deadline_chase_escalation')],
                    'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('provider_concern__isnull', True), ('referral__isnull', False)), models.Q(('case__isnull', True), ('provider_concern__isnull', False), ('referral__isnull', True)), _connector='OR'), name='deadline_referral_or_provider_concern')],
                },
            ),
            ],
        ),
    ]
