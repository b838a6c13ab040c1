# The Deadline model and its history moved to the deadlines app (deadlines 0001 renamed their
# tables and keeps their data). Here they only leave this app's state: nothing in the database.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("allegations", "0010_help_texts_plain_words"),
        ("deadlines", "0001_initial"),
        ("meetings", "0006_deadline_moved_to_deadlines"),
        ("providers", "0002_deadline_moved_to_deadlines"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.DeleteModel(name="HistoricalDeadline"),
            migrations.DeleteModel(name="Deadline"),
        ]),
    ]
