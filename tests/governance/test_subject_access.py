"""Subject access (issue 7 §6): everything held about one person, third parties redacted by default,
reviewed, released as HTML or PDF, each release logged; only LADO service managers."""

import datetime as dt

import pytest
from django.urls import reverse

from allegations.models import Referral
from governance import sar
from governance.models import SarRelease, SubjectAccessRequest
from tests.allegations.factories import make_referral

from .conftest import closed_case
from tests.forms import with_dates

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(agency_a_manager, lado_service, agency_a, lado_officer, chair):
    referral = make_referral(
        actor=agency_a_manager, lado_service=lado_service, agency=agency_a, given="Alex", family="Morgan",
        dob=dt.date(1980, 3, 27),
        children=[{"given_name": "Robin", "family_name": "Quill", "relationship": "complainant",
                   "date_of_birth": dt.date(2012, 3, 4)}],
        description="Robin Quill said Mr Morgan grabbed her arm; Jo Bystander saw it.",
    )
    closed_case(officer=lado_officer, chair=chair, referral=referral,
                decisions="Police to speak to Robin. Alex Morgan not to work with pupils.")
    other = make_referral(actor=agency_a_manager, lado_service=lado_service, agency=agency_a, given="Jo",
                          family="Bystander", description="Unrelated: shouted at a pupil in the canteen.",
                          children=[{"given_name": "Casey", "family_name": "Other", "relationship": "complainant"}])
    return referral, other


def _start(client, subject):
    response = client.post(reverse("governance:sar_list"), {"subject": subject.pk})
    assert response.status_code == 302
    return SubjectAccessRequest.objects.get()


def test_a_manager_finds_the_person_and_starts_a_request(world, lado_manager, login):
    referral, _ = world
    client = login(lado_manager)
    page = client.get(reverse("governance:sar_list"), {"given_name": "alex", "family_name": "morgan"}).content.decode()
    assert "Alex Morgan" in page and "Jo Bystander" not in page
    page = client.get(reverse("governance:sar_list"), with_dates({"family_name": "Morgen", "date_of_birth": "1980-03-27"})).content.decode()
    assert "Alex Morgan" in page  # matching: a typo and the date of birth
    item = _start(client, referral.subject)
    assert item.subject == referral.subject and item.requested_by == lado_manager


def test_the_draft_has_the_subjects_data_and_redacts_everyone_else(world, lado_manager, login):
    referral, other = world
    client = login(lado_manager)
    item = _start(client, referral.subject)
    draft = sar.assemble(item)
    text = "\n".join(f"{row.label}: {sar.rendered(row.value, [])}" for s in draft.sections for row in s.rows)
    titles = [s.title for s in draft.sections]
    # The subject's own data.
    assert "Alex Morgan" in text and "27 March 1980" in text and f"Referral {referral.reference}" in titles
    assert any(t.startswith("Initial position-of-trust") for t in titles)  # the meeting and its minutes
    assert "not to work with pupils" in text
    # Third parties, by default: the child, the referrer, another person named in free text.
    for hidden in ("Robin", "Quill", "4 March 2012", "Pat Referrer", "Bystander"):
        assert hidden not in text, hidden
    assert "[redacted: child 1]" in text and "[redacted: referrer 1]" in text
    assert "[redacted: person" in text  # Jo Bystander, known to the database as another subject
    # Another subject's records are not there at all.
    assert other.reference not in text and "canteen" not in text and "Casey" not in text


def test_the_reviewer_lifts_a_redaction_and_the_release_is_logged(world, lado_manager, login):
    referral, _ = world
    client = login(lado_manager)
    item = _start(client, referral.subject)
    page = client.get(reverse("governance:sar_detail", args=[item.pk])).content.decode()
    assert "[redacted: child 1]" in page and "Release referrer 1" in page
    referrer_key = f"referrer:{referral.pk}"
    assert client.post(reverse("governance:sar_detail", args=[item.pk]),
                       {"reveal": [referrer_key, "made:up"]}).status_code == 302
    item.refresh_from_db()
    assert item.revealed == [referrer_key]

    response = client.post(reverse("governance:sar_release", args=[item.pk, "html"]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    released = response.content.decode()
    assert "Pat Referrer" in released and "Robin" not in released and "[redacted: child 1]" in released
    assert "Alex Morgan" in released

    response = client.post(reverse("governance:sar_release", args=[item.pk, "pdf"]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    releases = list(SarRelease.objects.order_by("pk"))
    assert [(r.format, r.released_by, r.redactions_lifted) for r in releases] == [
        ("html", lado_manager, 1), ("pdf", lado_manager, 1)]
    assert releases[0].redactions_kept >= 2
    item.refresh_from_db()
    assert item.status == "released"
    # A GET never releases anything.
    assert client.get(reverse("governance:sar_release", args=[item.pk, "html"])).status_code == 405
    assert SarRelease.objects.count() == 2


@pytest.mark.parametrize("persona", ["lado_officer", "chair", "agency_a_manager", "agency_a_viewer",
                                     "agency_b_outsider", "police_user", "analyst", "other_officer"])
def test_only_lado_managers(request, world, lado_manager, login, persona):
    referral, _ = world
    item = _start(login(lado_manager), referral.subject)
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("governance:sar_list")).status_code == 403  # the list: whose it is
    assert client.post(reverse("governance:sar_list"), {"subject": referral.subject.pk}).status_code == 403
    assert client.get(reverse("governance:sar_detail", args=[item.pk])).status_code == 404
    assert client.post(reverse("governance:sar_detail", args=[item.pk]), {"reveal": ["x"]}).status_code == 404
    assert client.post(reverse("governance:sar_release", args=[item.pk, "html"])).status_code == 404
    assert SubjectAccessRequest.objects.count() == 1 and not SarRelease.objects.exists()


def test_a_manager_of_another_service_cannot_reach_this_services_subject(world, lado_manager, other_lado_service, login):
    from agencies.models import Role
    from tests.agencies.factories import UserFactory, member

    referral, _ = world
    item = _start(login(lado_manager), referral.subject)
    elsewhere = member(UserFactory(username="elsewhere.manager"), other_lado_service, Role.LADO_MANAGER)
    client = login(elsewhere)
    page = client.get(reverse("governance:sar_list"), {"given_name": "Alex", "family_name": "Morgan"}).content.decode()
    assert "Alex Morgan" not in page
    assert client.post(reverse("governance:sar_list"), {"subject": referral.subject.pk}).status_code == 404
    assert client.get(reverse("governance:sar_detail", args=[item.pk])).status_code == 404
    assert Referral.objects.filter(pk=referral.pk).exists()


def test_a_name_that_is_also_a_word_is_redacted_only_as_a_name():
    redactor = sar._Redactor(own_names={"Alex", "Morgan"})
    redactor.person("child", 1, ["Sam", "Child"], ["2012-03-04"])
    redactor.person("referrer", 2, ["Pat Referrer"], ["pat@example.org"])
    text = sar.rendered(redactor.text(
        "SAM CHILD told Pat Referrer (PAT@example.org) on 2012-03-04; the child is safe. Child said Morgan left."), [])
    assert text == ("[redacted: child 1] told [redacted: referrer 1] ([redacted: referrer 1]) on [redacted: child 1]; "
                    "the child is safe. [redacted: child 1] said Morgan left.")
