"""Reports and figures read from a replica when DATABASE_REPLICA_URL gives one; writes never go there (issue 19 §7).

The replica here is a second alias on the same server and test database. The tests that use it commit
(`transaction=True`): inside pytest-django's per-test transaction every read would stay on the primary, by design.
"""

import pytest
from django.contrib.auth.models import Group
from django.db import connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from allegations.models import Referral
from config.replica import REPLICA, ReplicaRouter, reads_from_replica, replica_reads
from reporting import annual_views, dashboard_views, views

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def replica(transactional_db):
    """A "replica" alias pointing at the test database, for this test only."""
    connections.settings[REPLICA] = {**connections["default"].settings_dict}
    # Connected here, as a configured replica would be: the test case lets an open connection be used.
    connections[REPLICA].connect()
    try:
        yield connections[REPLICA]
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


def test_without_a_replica_everything_reads_from_the_primary():
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(Referral) == "default"
    assert router.db_for_read(Referral) == "default"


def test_the_router_sends_only_marked_reads_to_the_replica_and_never_a_write(replica):
    router = ReplicaRouter()
    assert router.db_for_read(Referral) == "default"  # a page's reads: the primary
    with replica_reads():
        assert router.db_for_read(Referral) == REPLICA
        assert router.db_for_write(Referral) == "default"
        with transaction.atomic():  # it may have just written what it would read: the primary
            assert router.db_for_read(Referral) == "default"
    assert router.db_for_write(Referral) == "default"
    assert router.allow_migrate(REPLICA, "allegations") is False
    assert router.allow_migrate("default", "allegations") is True


def test_reads_go_through_the_replica_and_writes_through_the_primary(replica):
    primary = connections["default"]
    with replica_reads(), CaptureQueriesContext(primary) as on_primary, CaptureQueriesContext(replica) as on_replica:
        group = Group.objects.create(name="replica-test")  # a write: the primary
        assert Group.objects.filter(name="replica-test").exists()  # a read: the replica, which sees the row
        group.delete()  # a write: the primary
    replica_sql = [q["sql"] for q in on_replica.captured_queries]
    assert replica_sql and all('"auth_group"' in sql for sql in replica_sql), replica_sql
    assert not any(sql.lstrip().upper().startswith(WRITES) for sql in replica_sql)
    primary_sql = [q["sql"].lstrip().upper() for q in on_primary.captured_queries]
    assert any(sql.startswith("INSERT") for sql in primary_sql) and any(sql.startswith("DELETE") for sql in primary_sql)


def test_a_decorated_view_reads_from_the_replica_template_and_all(replica):
    @reads_from_replica
    def view(request):
        return HttpResponse(str(Group.objects.count()))

    with CaptureQueriesContext(connections["default"]) as on_primary, CaptureQueriesContext(replica) as on_replica:
        assert view(RequestFactory().get("/")).status_code == 200
        Group.objects.count()  # after the view: the primary again
    assert len(on_replica.captured_queries) == 1 and len(on_primary.captured_queries) == 1


def _reads_from_replica(view) -> bool:
    while view is not None:  # through the decorators (role checks, require_GET) to the one that matters
        if view.__dict__.get("reads_from_replica"):
            return True
        view = getattr(view, "__wrapped__", None)
    return False


@pytest.mark.parametrize("view", [views.figures, annual_views.annual, annual_views.annual_csv, annual_views.annual_xlsx,
                                  dashboard_views.dashboard_view])
def test_the_figures_the_annual_report_and_the_dashboard_read_from_the_replica(view):
    assert _reads_from_replica(view), view
