"""Room on each page of outbox_delivery for the row's next version, so that recording a delivery sent is a HOT update.

A delivery is written once ("queued") and updated once or twice ("sent", then a receipt's status). PostgreSQL can
update a row in place of its indexes (a heap-only tuple) only when the new version fits on the same page; the table's
pages were filled to the brim by the sweep's inserts, so every "sent" wrote a new entry in each of the table's
indexes (issue 19: the UPDATE of a sweep's 10,000 deliveries was its costliest statement). At fillfactor 50 a
freshly filled page keeps room for each of its rows' next version; the old one is pruned with the page.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("outbox", "0003_fewer_indexes")]

    operations = [
        migrations.RunSQL("ALTER TABLE outbox_delivery SET (fillfactor = 50)",
                          "ALTER TABLE outbox_delivery RESET (fillfactor)"),
    ]
