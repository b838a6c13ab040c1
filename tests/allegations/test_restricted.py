"""Access that ends when it should (issue 12 §3): a confidential case restricted to named people,
and "possible earlier records" suggested only from referrals the viewer may open."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from agencies.models import Notification, Role
from allegations import services
from allegations.models import Restriction
from deadlines.models import Deadline
from tests.agencies.factories import UserFactory, member
from tests.allegations.factories import make_case, make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def suspect(lado_service):
    """One of the service's own officers, about whom the referral is made."""
    return member(UserFactory(username="suspect.officer"), lado_service, Role.LADO_OFFICER)


@pytest.fixture
def other_manager(lado_service):
    return member(UserFactory(username="manager.two"), lado_service, Role.LADO_MANAGER)


@pytest.fixture
def restricted(case, login, lado_manager, lado_officer, suspect, chair):
    """The case restricted through the page: the officer may open it; it is about `suspect`, whose line
    manager is `chair`."""
    response = login(lado_manager).post(reverse("allegations:referral_restrict", args=[case.reference]), {
        "reason": "The subject is one of our own officers.", "may_open": [lado_officer.pk],
        "subject_account": suspect.pk, "line_manager": chair.pk,
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    return case


def _overdue(case):
    """The case's initial-discussion deadline, made overdue (so the team view lists it)."""
    Deadline.objects.filter(referral=case.referral).update(due_at=timezone.now() - dt.timedelta(days=2), met_at=None,
                                                            status=Deadline.Status.OPEN)


def test_only_the_people_named_open_a_restricted_case(restricted, login, lado_manager, lado_officer, suspect, chair,
                                                      other_manager, agency_a_manager):
    case = restricted
    restriction = Restriction.objects.get(referral=case.referral)
    assert set(restriction.may_open.all()) == {lado_manager, lado_officer}
    assert restriction.history.first().history_change_reason == "The subject is one of our own officers."
    urls = [reverse("allegations:case_detail", args=[case.reference]),
            reverse("allegations:referral_detail", args=[case.reference])]
    for user in (lado_manager, lado_officer, agency_a_manager):  # the named, and the referring agency
        for url in urls:
            assert login(user).get(url).status_code == 200, (user, url)
    for user in (suspect, chair, other_manager):
        client = login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        # Nor any of its parts, nor a way to act on it.
        assert client.get(reverse("allegations:case_action", args=[case.reference, "decision"])).status_code == 404
        assert client.get(reverse("allegations:referral_restrict", args=[case.reference])).status_code == 404
    # The restriction is only the manager's to set: the named officer sees the case, but may not.
    assert login(lado_officer).get(reverse("allegations:referral_restrict", args=[case.reference])).status_code == 403


def test_a_restricted_case_leaves_the_lists_search_my_work_the_team_and_the_queue(
        restricted, login, lado_manager, lado_officer, suspect, chair, other_manager):
    case = restricted
    _overdue(case)
    pages = {
        "case list": reverse("allegations:case_list"),
        "search": reverse("allegations:case_list") + f"?q={case.reference}",
        "queue": reverse("allegations:triage_queue") + "?status=",
        "queue search": reverse("allegations:triage_queue") + f"?q={case.reference}",
        "my work": reverse("allegations:my_work"),
    }
    linked = f"/{case.reference}/"  # a link to the referral or the case (a search box may echo the reference)
    for user in (suspect, chair):
        for name, url in pages.items():
            assert linked not in login(user).get(url).content.decode(), (user, name)
    assert linked not in login(other_manager).get(reverse("allegations:team")).content.decode()
    assert linked in login(lado_manager).get(reverse("allegations:team")).content.decode()
    for name in ("case list", "search", "queue search", "my work"):
        assert linked in login(lado_officer).get(pages[name]).content.decode(), name


def test_its_documents_and_meetings_are_closed_to_the_rest_of_the_service(restricted, login, lado_officer, chair,
                                                                          suspect):
    from tests.meetings.factories import schedule
    from tests.records.factories import attach

    document = attach(actor=lado_officer, case=restricted)
    meeting = schedule(restricted, actor=lado_officer, chair=lado_officer)
    for user in (suspect, chair):
        client = login(user)
        assert client.get(reverse("records:document_download", args=[document.pk])).status_code == 404
        assert client.get(reverse("meetings:meeting_detail", args=[meeting.pk])).status_code == 404
    assert login(lado_officer).get(reverse("records:document_download", args=[document.pk])).status_code == 200


def test_it_is_never_given_to_the_person_it_is_about_or_their_line_manager(restricted, lado_manager, lado_officer,
                                                                            suspect, chair, other_manager):
    case = restricted
    for person in (suspect, chair):
        with pytest.raises(ValidationError, match="person it is about or to their line manager"):
            services.case_assign(actor=lado_manager, case=case, owner=person)
        with pytest.raises(ValidationError, match="person it is about or to their line manager"):
            services.referral_assign(actor=lado_manager, referral=case.referral, officer=person)
    with pytest.raises(ValidationError, match="named"):  # someone not named would not see their own case
        services.case_assign(actor=lado_manager, case=case, owner=other_manager)
    services.case_assign(actor=lado_manager, case=case, owner=lado_manager)
    # They cannot be named either.
    with pytest.raises(ValidationError) as error:
        services.referral_restrict(actor=lado_manager, referral=case.referral, reason="Conflict", may_open=[suspect],
                                   subject_account=suspect, line_manager=chair)
    assert "cannot be among those who may open it" in str(error.value)
    # And someone not named cannot act on it through a service either.
    with pytest.raises(PermissionDenied):
        services.decision_record(actor=chair, case=case, decision="Close", rationale="x", made_at="between_meetings",
                                 agreed_with="")


def test_the_page_refuses_a_restriction_that_would_leave_the_case_with_a_conflicted_owner(case, login, lado_manager,
                                                                                           lado_officer, chair):
    """The case is with the officer; naming the officer as the subject's line manager is refused, and
    what was typed is kept."""
    response = login(lado_manager).post(reverse("allegations:referral_restrict", args=[case.reference]), {
        "reason": "Conflicted", "may_open": [], "line_manager": lado_officer.pk,
    })
    body = response.content.decode()
    assert response.status_code == 200 and "give the case to someone else first" in body
    assert "Conflicted" in body
    assert not Restriction.objects.exists()


def test_every_opening_is_shown_to_the_manager_who_restricted_it(restricted, login, lado_manager, lado_officer):
    case = restricted
    login(lado_manager).get(reverse("allegations:case_detail", args=[case.reference]))
    assert not Notification.objects.filter(user=lado_manager).exists()  # their own openings: no notice
    officer = login(lado_officer)
    officer.get(reverse("allegations:case_detail", args=[case.reference]))
    officer.get(reverse("allegations:referral_detail", args=[case.reference]))
    notices = list(Notification.objects.filter(user=lado_manager).order_by("pk"))
    assert len(notices) == 2
    assert all(case.reference in n.title and lado_officer.get_full_name() in n.title for n in notices)
    assert case.referral.subject.family_name not in notices[0].title
    assert notices[0].link == reverse("allegations:case_detail", args=[case.reference])
    page = login(lado_manager).get(reverse("allegations:case_access", args=[case.reference])).content.decode()
    assert "Restricted" in page and lado_officer.get_full_name() in page


# --- "Possible earlier records" ------------------------------------------------------------------

def test_earlier_records_are_suggested_only_from_referrals_the_viewer_may_open(
        login, lado_service, other_lado_service, agency_a, agency_a_manager, lado_officer, other_officer):
    """Two LADO services in one installation: the other service's subject is never suggested."""
    dob = dt.date(1984, 3, 9)
    theirs = make_referral(actor=other_officer, lado_service=other_lado_service, given="Jonathan", family="Wexley",
                           dob=dob, phone=True)
    ours = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a, given="Jon",
                         family="Wexley", dob=dob)
    page = login(lado_officer).get(reverse("allegations:referral_detail", args=[ours.reference])).content.decode()
    assert "Possible earlier records" not in page and "Jonathan" not in page and theirs.reference not in page
    # The other service sees its own subject suggested for a referral of theirs.
    again = make_referral(actor=other_officer, lado_service=other_lado_service, given="Jon", family="Wexley",
                          dob=dob, phone=True)
    page = login(other_officer).get(reverse("allegations:referral_detail", args=[again.reference])).content.decode()
    assert "Possible earlier records" in page and "Jonathan" in page and ours.reference not in page


def test_earlier_records_leave_out_a_restricted_case(restricted, login, chair, agency_a, agency_a_manager,
                                                     lado_service, lado_officer):
    subject = restricted.referral.subject
    new = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a, given=subject.given_name,
                        family=subject.family_name, dob=subject.date_of_birth)
    url = reverse("allegations:referral_detail", args=[new.reference])
    assert restricted.reference not in login(chair).get(url).content.decode()
    assert restricted.reference in login(lado_officer).get(url).content.decode()


def test_a_referral_is_restricted_from_its_page_before_there_is_a_case(referral, login, lado_manager, lado_officer,
                                                                        chair):
    url = reverse("allegations:referral_detail", args=[referral.reference])
    page = login(lado_manager).get(url).content.decode()
    restrict = reverse("allegations:referral_restrict", args=[referral.reference])
    assert restrict in page
    response = login(lado_manager).post(restrict, {"reason": "About a senior council officer.",
                                                   "may_open": [lado_officer.pk]})
    assert response.status_code == 302 and response.url == url
    assert login(chair).get(url).status_code == 404
    queue = reverse("allegations:triage_queue")
    assert f"/{referral.reference}/" not in login(chair).get(queue).content.decode()
    assert f"/{referral.reference}/" in login(lado_officer).get(queue).content.decode()
    # The case opened from it stays restricted.
    case = make_case(officer=lado_officer, referral=referral)
    assert login(chair).get(reverse("allegations:case_detail", args=[case.reference])).status_code == 404
    assert login(lado_officer).get(reverse("allegations:case_detail", args=[case.reference])).status_code == 200


def test_deadline_notices_of_a_restricted_referral_go_only_to_the_people_named(referral, lado_manager, lado_officer,
                                                                                chair, other_manager, suspect):
    """Unassigned, its initial-discussion deadline would be chased to the whole service and escalated to
    every manager: restricted, only to those named."""
    from deadlines import chasing

    services.referral_restrict(actor=lado_manager, referral=referral, reason="About one of our officers.",
                               may_open=[lado_officer], subject_account=suspect)
    deadline = referral.deadlines.get(kind=Deadline.Kind.INITIAL_DISCUSSION)
    chasing.sweep(now=deadline.due_at)  # the overdue notice, then the escalation, each in its time
    chasing.sweep(now=deadline.escalate_at)
    told = set(Notification.objects.filter(key__startswith=f"deadline-{deadline.pk}-").values_list(
        "user__username", flat=True))
    assert told == {"officer", "manager"}


def test_the_access_log_audit_shows_a_restricted_case_only_to_the_managers_named(restricted, login, lado_manager,
                                                                                 lado_officer, other_manager):
    import csv
    import io

    login(lado_officer).get(reverse("allegations:case_detail", args=[restricted.reference]))

    def references(user):
        response = login(user).get(reverse("records:access_log_csv"))
        rows = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
        return {r["Reference"] for r in rows}

    assert restricted.reference in references(lado_manager)
    assert restricted.reference not in references(other_manager)


def test_who_may_open_follows_each_change_to_the_restriction_at_once(case, login, lado_manager, lado_officer, other_manager):
    """querysets.hidden_referral_ids keeps the expression it builds for a user (issue 19), never its rows: the same
    person in the same process sees each change to who is named the next time they open the case."""
    url = reverse("allegations:case_detail", args=[case.reference])
    viewer = login(other_manager)
    assert viewer.get(url).status_code == 200

    def restrict(may_open):
        response = login(lado_manager).post(reverse("allegations:referral_restrict", args=[case.reference]), {
            "reason": "The subject is one of our own officers.", "may_open": [user.pk for user in may_open],
            "subject_account": "", "line_manager": "",
        })
        assert response.status_code == 302, response.content.decode().split("govuk-error-summary__body")[-1][:800]

    restrict([lado_officer])
    assert viewer.get(url).status_code == 404
    restrict([lado_officer, other_manager])
    assert viewer.get(url).status_code == 200
    restrict([lado_officer])
    assert viewer.get(url).status_code == 404


def test_the_compiled_subquery_hides_what_the_querysets_own_hides(restricted, lado_manager, lado_officer, suspect,
                                                                 chair, other_manager):
    """hidden_referral_ids keeps its subquery compiled to SQL once per person (issue 19): inside any outer query,
    even one on the restrictions' own table, it hides exactly the referrals the queryset it was compiled from
    hides; the queryset is built again here, so a change in how Django compiles it would show."""
    from allegations.models import Referral
    from allegations.querysets import _hidden_referral_ids_query, hidden_referral_ids

    make_referral(actor=lado_manager, lado_service=restricted.referral.lado_service, phone=True)  # not restricted
    for user in (lado_manager, lado_officer, suspect, chair, other_manager):
        built = _hidden_referral_ids_query(user)
        assert (set(Referral.objects.exclude(pk__in=hidden_referral_ids(user)).values_list("pk", flat=True))
                == set(Referral.objects.exclude(pk__in=built).values_list("pk", flat=True)))
        assert (set(Restriction.objects.filter(referral_id__in=hidden_referral_ids(user)).values_list("pk", flat=True))
                == set(Restriction.objects.filter(referral_id__in=built).values_list("pk", flat=True)))
    assert restricted.referral_id in Referral.objects.filter(pk__in=hidden_referral_ids(other_manager)).values_list(
        "pk", flat=True)
    assert not Referral.objects.filter(pk__in=hidden_referral_ids(lado_officer)).exists()
