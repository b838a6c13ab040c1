"""outbox_delivery keeps room on each page (fillfactor 50, outbox/migrations/0003): a delivery recorded sent gets its
new row version on the page it was inserted on, so PostgreSQL updates it in place of its indexes (HOT)."""

from __future__ import annotations

import pytest
from django.db import connection

from outbox import tasks
from outbox.models import Delivery, DeliveryStatus
from tests.outbox.test_listing import _listing


def _pages(ids) -> dict[int, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, (ctid::text::point)[0]::int FROM outbox_delivery WHERE id = ANY(%s)", [ids])
        return dict(cursor.fetchall())


@pytest.mark.django_db
def test_a_sweeps_deliveries_recorded_sent_stay_on_the_page_they_were_written_on(lado_officer):
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'outbox_delivery'")
        assert cursor.fetchone()[0] == ["fillfactor=50"]
    first, a = _listing(lado_officer, 60, person="a")  # several pages' worth, as a sweep's batch writes them
    second, b = _listing(lado_officer, 60, person="b")
    written = _pages(a + b)
    assert len(set(written.values())) > 2

    assert tasks.deliver_many([first, second]) == ["done", "done"]

    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert _pages(a + b) == written  # each new version beside the old: no page had to take it elsewhere
