"""Waiving a deadline not yet due, with who and why; every deadline list says met / met late / overdue / waived."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from allegations.models import Event
from deadlines import waiving
from deadlines import services as deadlines
from deadlines.models import Deadline

pytestmark = pytest.mark.django_db


def on_date(case, actor, days):
    return deadlines.deadline_open_on_date(
        actor=actor, referral=case.referral, kind=Deadline.Kind.POLICE_REVIEW, case=case,
        due_on=timezone.localdate() + dt.timedelta(days=days), anchor=timezone.now() - dt.timedelta(days=30), reason="test",
    )


def url(case, deadline):
    return reverse("allegations:deadline_waive", args=[case.reference, deadline.pk])


def test_waiving_records_who_and_why(case, lado_officer):
    deadline = on_date(case, lado_officer, 5)
    waiving.deadline_waive(actor=lado_officer, deadline=deadline, reason="The police closed their investigation.")
    deadline.refresh_from_db()
    assert deadline.status == Deadline.Status.WAIVED
    assert deadline.waived_by == lado_officer
    assert deadline.waived_reason == "The police closed their investigation."
    event = Event.objects.get(verb="deadline_waived")
    assert (event.actor, event.case, event.reason) == (lado_officer, case, "The police closed their investigation.")


def test_a_deadline_already_due_stays_overdue(case, lado_officer):
    deadline = on_date(case, lado_officer, -1)
    with pytest.raises(ValidationError, match="stays overdue"):
        waiving.deadline_waive(actor=lado_officer, deadline=deadline, reason="Too late")
    deadline.refresh_from_db()
    assert deadline.status == Deadline.Status.OPEN
    assert not Event.objects.filter(verb="deadline_waived").exists()


def test_a_reason_is_required_and_only_the_lado_may_waive(case, lado_officer, agency_a_manager):
    deadline = on_date(case, lado_officer, 5)
    with pytest.raises(ValidationError):
        waiving.deadline_waive(actor=lado_officer, deadline=deadline, reason=" ")
    with pytest.raises(PermissionDenied):
        waiving.deadline_waive(actor=agency_a_manager, deadline=deadline, reason="We say so")
    deadline.refresh_from_db()
    assert deadline.status == Deadline.Status.OPEN


def test_the_officer_waives_on_the_case_page(case, login, lado_officer):
    lado_officer.first_name, lado_officer.last_name = "Olu", "Officer"
    lado_officer.save()
    deadline = on_date(case, lado_officer, 5)
    client = login(lado_officer)
    page = client.get(reverse("allegations:case_detail", args=[case.reference])).content.decode()
    assert url(case, deadline) in page
    response = client.post(url(case, deadline), {"reason": ""})
    assert response.status_code == 200
    assert "Enter why this deadline no longer applies" in response.content.decode()
    response = client.post(url(case, deadline), {"reason": "Route changed to the employer."})
    assert response.status_code == 302
    page = client.get(reverse("allegations:case_detail", args=[case.reference])).content.decode()
    today = timezone.localdate()
    assert f"Waived by Olu Officer on {today.day} {today:%B %Y}: Route changed to the employer." in page


def test_the_page_refuses_a_deadline_already_due_clearly(case, login, lado_officer):
    deadline = on_date(case, lado_officer, -2)
    client = login(lado_officer)
    page = client.get(url(case, deadline)).content.decode()
    assert "This deadline cannot be waived" in page
    assert "It stays overdue" in page
    response = client.post(url(case, deadline), {"reason": "Please"})
    assert response.status_code == 200
    deadline.refresh_from_db()
    assert deadline.status == Deadline.Status.OPEN
    case_page = client.get(reverse("allegations:case_detail", args=[case.reference])).content.decode()
    assert url(case, deadline) not in case_page  # no waive link on an overdue deadline


def test_every_state_is_said_in_words_on_the_case_page(case, login, lado_officer):
    met = on_date(case, lado_officer, 3)
    deadlines.deadline_meet_one(actor=lado_officer, deadline=met, met_at=timezone.now(), reason="done")
    late = on_date(case, lado_officer, -3)
    deadlines.deadline_meet_one(actor=lado_officer, deadline=late, met_at=timezone.now(), reason="done")
    on_date(case, lado_officer, -1)
    page = login(lado_officer).get(reverse("allegations:case_detail", args=[case.reference])).content.decode()
    for words in ('">Met</strong>', '">Met late</strong>', '">Overdue</strong>', '">Open</strong>'):
        assert words in page, words


def test_an_agency_sees_waived_but_not_the_lados_reason(case, login, lado_officer, agency_a_manager):
    # The employer's own deadline: the police review's is for the safeguarding level (issue 12 §1), which the
    # referring agency is not at (before, it saw every deadline of the case).
    deadline = deadlines.deadline_open_on_date(
        actor=lado_officer, referral=case.referral, kind=Deadline.Kind.DISCIPLINARY_HEARING, case=case,
        due_on=timezone.localdate() + dt.timedelta(days=5), anchor=timezone.now() - dt.timedelta(days=30), reason="test",
    )
    police_review = on_date(case, lado_officer, 6)
    waiving.deadline_waive(actor=lado_officer, deadline=deadline, reason="Internal LADO reasoning")
    page = login(agency_a_manager).get(reverse("allegations:case_detail", args=[case.reference])).content.decode()
    assert '">Waived</strong>' in page
    assert "Internal LADO reasoning" not in page
    assert police_review.get_kind_display() not in page


def test_the_referral_page_lists_and_waives_too(referral, login, lado_officer):
    initial = referral.deadlines.get(kind=Deadline.Kind.INITIAL_DISCUSSION)
    client = login(lado_officer)
    page = client.get(reverse("allegations:referral_detail", args=[referral.reference])).content.decode()
    waive = reverse("allegations:deadline_waive", args=[referral.reference, initial.pk])
    assert waive in page
    assert client.post(waive, {"reason": "Transferred to another authority by phone."}).status_code == 302
    initial.refresh_from_db()
    assert initial.status == Deadline.Status.WAIVED


def test_outsiders_get_404_and_agencies_403(case, login, lado_officer, agency_b_outsider, agency_a_manager, other_officer):
    deadline = on_date(case, lado_officer, 5)
    for user in (agency_b_outsider, other_officer):
        assert login(user).post(url(case, deadline), {"reason": "x"}).status_code == 404
    assert login(agency_a_manager).post(url(case, deadline), {"reason": "x"}).status_code == 403
    # A deadline of another referral through this reference: 404.
    wrong = reverse("allegations:deadline_waive", args=[case.reference, deadline.pk + 1000])
    assert login(lado_officer).get(wrong).status_code == 404
    deadline.refresh_from_db()
    assert deadline.status == Deadline.Status.OPEN
