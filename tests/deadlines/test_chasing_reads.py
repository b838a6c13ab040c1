"""What the sweep reads of a batch (issue 19): one query claims the deadlines with only the columns the chase reads
of what they are about (deadlines.about: Subject.reads), and a column left out would cost a query per deadline.
So: the queries of a sweep do not grow with its batch, and each kind of deadline still reaches the right people
with the right link."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Notification
from allegations.models import Referral
from deadlines import chasing
from deadlines.models import Deadline
from tests.allegations.factories import make_referral
from tests.providers.factories import care_home, director_of, invoked_concern, safeguarding_manager_of


@pytest.fixture
def subjects(case, lado_officer, lado_manager, agency_a_manager, lado_service, agency_a):
    """A referral without a case assigned to the manager, the case (owned by the officer), and a provider concern
    (led by its adults' safeguarding manager): one owner each, so no deadline needs a query of its own."""
    assigned = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a)
    Referral.objects.filter(pk=assigned.pk).update(assigned_to=lado_manager)
    asm = safeguarding_manager_of(lado_service)
    concern = invoked_concern(actor=asm, director=director_of(lado_service), lado_service=lado_service,
                              provider=care_home(lado_service))
    return {"referral": (assigned, lado_manager), "case": (case, lado_officer), "concern": (concern, asm)}


def reminders_due(subjects, count, at):
    """`count` deadlines of each subject whose reminder falls due `at` (and nothing else of theirs then)."""
    later = at + dt.timedelta(days=30)
    about = [{"referral": subjects["referral"][0]},
             {"referral": subjects["case"][0].referral, "case": subjects["case"][0]},
             {"provider_concern": subjects["concern"][0]}]
    rows = [Deadline(kind=Deadline.Kind.POLICE_REVIEW if "referral" in keys else Deadline.Kind.CONCERN_REVIEW,
                     anchor_at=at - dt.timedelta(days=10), remind_at=at, due_at=later, escalate_at=later, **keys)
            for keys in about for _ in range(count)]
    return Deadline.objects.bulk_create(rows)


def sweep_queries(at) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        chasing.sweep(now=at)
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.django_db
def test_the_sweeps_queries_do_not_grow_with_its_batch(subjects):
    first = timezone.now() - dt.timedelta(hours=2)
    reminders_due(subjects, 1, first)
    small = sweep_queries(first)

    second = first + dt.timedelta(minutes=30)
    many = reminders_due(subjects, 5, second)
    large = sweep_queries(second)

    assert len(large) == len(small), "\n".join(large)
    assert Notification.objects.filter(key__in=[f"deadline-{d.pk}-reminder" for d in many]).count() == len(many)
    # One read of the batch: the deadline with what it is about, not a second read of the rows by id.
    batch_reads = [sql for sql in large if sql.startswith('SELECT "deadlines_deadline"."id"')]
    assert len(batch_reads) == len(chasing.STAGES), batch_reads  # one claim a stage (the batch is not full)
    assert "FOR UPDATE OF" in batch_reads[0] and "SKIP LOCKED" in batch_reads[0]
    # ... and not the referral's columns the chase never reads.
    assert '"allegations_referral"."reference"' in batch_reads[0]
    assert '"allegations_referral"."description"' not in batch_reads[0]


@pytest.mark.django_db
def test_each_kind_of_deadline_reaches_its_owner_with_its_link(subjects):
    at = timezone.now() - dt.timedelta(hours=1)
    referral_deadline, case_deadline, concern_deadline = reminders_due(subjects, 1, at)

    assert chasing.sweep(now=at)["reminder"] == 3

    referral, manager = subjects["referral"]
    case, officer = subjects["case"]
    concern, asm = subjects["concern"]
    for deadline, user, link, reference in [
        (referral_deadline, manager, reverse("allegations:referral_detail", args=[referral.reference]), referral.reference),
        (case_deadline, officer, reverse("allegations:case_detail", args=[case.referral.reference]), case.referral.reference),
        (concern_deadline, asm, reverse("providers:concern_detail", args=[concern.reference]), concern.reference),
    ]:
        [notice] = Notification.objects.filter(key=f"deadline-{deadline.pk}-reminder")
        assert (notice.user, notice.link) == (user, link)
        assert reference in notice.title and notice.reference == reference
        deadline.refresh_from_db()
        assert deadline.reminder_sent_at == at
