import pytest

from agencies.models import Role
from tests.agencies.factories import UserFactory, member

from .receiver import Receiver


@pytest.fixture
def agency_a_admin(agency_a):
    return member(UserFactory(username="a.admin"), agency_a, Role.ADMINISTRATOR)


@pytest.fixture
def agency_b_admin(agency_b):
    return member(UserFactory(username="b.admin"), agency_b, Role.ADMINISTRATOR)


@pytest.fixture
def receiver(tmp_path, settings):
    """A local HTTPS receiver the sender may reach (a test's own certificate, on 127.0.0.1)."""
    with Receiver(tmp_path) as running:
        settings.WEBHOOK_ALLOW_LOCAL_ADDRESSES = True
        settings.WEBHOOK_CA_FILE = str(running.cert)
        yield running
