"""My work and the team view: the query count does not grow with the number of deadlines, cases or officers."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Role
from deadlines import services as deadlines
from deadlines.models import Deadline
from tests.agencies.factories import UserFactory, member
from tests.allegations.factories import make_case, make_referral

pytestmark = pytest.mark.django_db

# the session with its user (one read: accounts/sessions.py), standing, the three counts (referrals assigned to the
# officer, unassigned, cases owned: one read, each counted up to 1,001, allegations.deadline_about.lado_counts); and
# provider concerns (001): the concern deadlines I own (the prompts come from the cache, worked out at most once a
# minute). (The deadlines the officer owns are read once, for the urgent work's rows: issue 19 left out a second read
# the page never showed.)
MY_WORK_QUERIES = 11  # with the inbox's unread count and one read of the (database) cache for both prompts, the
# provider and the low-level concerns' (allegations.pages reads every part's keys at once); + the urgent work's rows
# (person, employer, category) and the meetings the officer chairs; + the provider concern plan items the person's
# agencies are responsible for (providers.selectors.plan_items_of_agencies); the urgent work's rows in two reads, what
# is to come and what is overdue, each bounded on its own, and when the overdue rows do not fill their part, whether
# the service has more than the 300 most recently overdue deadlines they were looked for in (allegations.urgency:
# two reads more for each further window, only when it has and the officer owns few of them)
TEAM_QUERIES = 7  # the session with its user, standing, unread count, officers, case counts, deadline counts, overdue list


@pytest.fixture
def add_work(lado_officer, lado_manager, agency_a_manager, lado_service, agency_a):
    counter = iter(range(1000))

    def _add(n):
        for _ in range(n):
            i = next(counter)
            officer = member(UserFactory(username=f"extra{i}"), lado_service, Role.LADO_OFFICER) if i % 2 else lado_officer
            case = make_case(officer=officer, referral=make_referral(
                actor=agency_a_manager, lado_service=lado_service, agency=agency_a, given=f"G{i}", family=f"F{i}"))
            for days in (-2, 0, 3):
                deadlines.deadline_open_on_date(
                    actor=lado_officer, referral=case.referral, kind=Deadline.Kind.POLICE_REVIEW, case=case,
                    due_on=timezone.localdate() + dt.timedelta(days=days),
                    anchor=timezone.now() - dt.timedelta(days=10), reason="test")

    return _add


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("persona", "name", "pinned"), [
    ("lado_officer", "allegations:my_work", MY_WORK_QUERIES),
    ("lado_manager", "allegations:team", TEAM_QUERIES),
])
def test_constant_queries(request, login, add_work, persona, name, pinned):
    client = login(request.getfixturevalue(persona))
    url = reverse(name)
    add_work(2)
    client.get(url)
    before = _count(client, url)
    add_work(6)
    client.get(url)  # the new referrals deleted the cached provider prompts: the first view works them out again
    after = _count(client, url)
    assert before == after
    assert after == pinned
